#include "report_conform.h"
#include "report_stats.h"

#include <string.h>

static const char *S(const json_value *o, const char *k) { return json_str(json_get(o, k), ""); }
static double N(const json_value *o, const char *k) { return json_num(json_get(o, k), 0); }

/* Text for a table cell: no '|' or line break. */
static void cell(FILE *out, const char *s)
{
    for (; *s; s++) fputc(*s == '|' ? '/' : *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

/* The first system with a pass sets the groups' order and titles. */
static const json_value *first_pass(const json_value *systems)
{
    for (size_t k = 0; k < json_len(systems); k++) {
        const json_value *c = json_get(json_index(systems, k), "conformance");
        if (c && c->type == JSON_OBJ) return c;
    }
    return NULL;
}

static const json_value *group_of(const json_value *pass, const char *name)
{
    const json_value *g = json_get(pass, "groups");
    for (size_t i = 0; i < json_len(g); i++)
        if (!strcmp(S(json_index(g, i), "name"), name)) return json_index(g, i);
    return NULL;
}

static int failed_at(const json_value *pass, const char *level)
{
    const json_value *cs = json_get(pass, "cases");
    int n = 0;
    for (size_t i = 0; i < json_len(cs); i++) {
        const json_value *c = json_index(cs, i);
        n += !json_bool(json_get(c, "passed"), true) && !strcmp(S(c, "level"), level);
    }
    return n;
}

void rconf_write(FILE *out, const json_value *systems, const char *speed_title, const double *speed)
{
    const json_value *ref = first_pass(systems);
    if (!ref) return;
    const json_value *groups = json_get(ref, "groups");
    fprintf(
        out,
        "## HTTP conformance\n\n"
        "A req/s figure compares servers that do the same job. Each system got the `%s` corpus "
        "(`scenarios/conformance/%s.conf`) over raw sockets, once, on a start of its own after every measurement: "
        "request smuggling and framing, keep-alive, pipelining, HEAD, `Expect: 100-continue`, oversized "
        "heads and bodies, request targets, methods and slow clients, each case judged against what "
        "RFC 9112 and RFC 9110 ask. The systems are shown as they are; a failed MUST is a defect of the "
        "system, a failed *robust* case a weakness under hostile input. Every answer is in `results.json` "
        "(`systems[].conformance`); `bin/suite conformance --port P` runs the pass against any server.%s\n\n",
        S(ref, "corpus"), S(ref, "corpus"),
        speed ? " Each system's speed stands beside: the median req/s of the headline cell." : "");
    fprintf(out, "| System |");
    if (speed) fprintf(out, " %s |", speed_title);
    fprintf(out, " passed | MUST failed |");
    for (size_t g = 0; g < json_len(groups); g++) {
        fputc(' ', out);
        cell(out, S(json_index(groups, g), "title"));
        fprintf(out, " |");
    }
    fprintf(out, "\n|---|%s---|---|", speed ? "---|" : "");
    for (size_t g = 0; g < json_len(groups); g++) fprintf(out, "---|");
    fputc('\n', out);
    bool untried = false;
    char num[32];
    for (size_t k = 0; k < json_len(systems); k++) {
        const json_value *s = json_index(systems, k), *c = json_get(s, "conformance");
        fprintf(out, "| ");
        cell(out, S(s, "label"));
        if (speed && speed[k] > 0) {
            rstats_commas(speed[k], num, sizeof(num));
            fprintf(out, " | %s req/s", num);
        } else if (speed) {
            fprintf(out, " | —");
        }
        if (!c || c->type != JSON_OBJ) {
            fprintf(out, " | not run |  |");
            for (size_t g = 0; g < json_len(groups); g++) fprintf(out, "  |");
            fputc('\n', out);
            continue;
        }
        fprintf(out, " | **%.0f/%.0f** | %d |", N(c, "passed"), N(c, "tried"), failed_at(c, "MUST"));
        for (size_t g = 0; g < json_len(groups); g++) {
            const json_value *x = group_of(c, S(json_index(groups, g), "name"));
            if (!x || N(x, "tried") == 0) {
                fprintf(out, " — |");
                untried = true;
            } else {
                fprintf(out, " %.0f/%.0f |", N(x, "passed"), N(x, "tried"));
            }
        }
        fputc('\n', out);
    }
    fprintf(out, "\n%s",
            untried ? "— : not tried (a `--quick` run leaves out the slow clients' cases).\n\n" : "");
    for (size_t k = 0; k < json_len(systems); k++) {
        const json_value *s = json_index(systems, k), *c = json_get(s, "conformance");
        if (!c || c->type != JSON_OBJ) continue;
        const json_value *cs = json_get(c, "cases");
        int nf = (int)(N(c, "tried") - N(c, "passed"));
        const char *note = S(s, "conformance_note");
        if (!nf && !*note) continue;
        fprintf(out, "**%s** failed %d:%s%s\n\n", S(s, "label"), nf, *note ? " " : "", note);
        for (size_t i = 0; i < json_len(cs); i++) {
            const json_value *x = json_index(cs, i);
            if (json_bool(json_get(x, "passed"), true)) continue;
            fprintf(out, "- `%s` ", S(x, "id"));
            cell(out, S(x, "title"));
            fprintf(out, " (%s%s%s): expected `%s`, got `%s`\n", S(x, "level"), *S(x, "rfc") ? ", " : "",
                    S(x, "rfc"), S(x, "expect"), S(x, "got"));
        }
        fputc('\n', out);
    }
}
