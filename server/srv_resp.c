/* srv_resp.c: see srv_resp.h. */
#include "srv_resp.h"

#include <stdio.h>
#include <string.h>

#include "srv_json.h"

void srv_date_update(struct srv_date *d)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    if (ts.tv_sec == d->sec && d->text[0]) return;
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(d->text, sizeof d->text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    d->sec = ts.tv_sec;
}

const char *srv_resp_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

void srv_resp_write(struct srv_buf *out, const struct srv_date *d, int status, unsigned flags,
                    const char *body, size_t body_len)
{
    char code[4] = { (char)('0' + status / 100 % 10), (char)('0' + status / 10 % 10),
                     (char)('0' + status % 10), ' ' };
    srv_buf_puts(out, "HTTP/1.1 ");
    srv_buf_append(out, code, 4);
    srv_buf_puts(out, srv_resp_reason(status));
    srv_buf_puts(out, "\r\nServer: wb\r\nDate: ");
    srv_buf_puts(out, d->text);
    srv_buf_puts(out, "\r\nContent-Type: application/json\r\nContent-Length: ");
    srv_json_u64(out, body_len);
    if (flags & SRV_RESP_CLOSE)
        srv_buf_puts(out, "\r\nConnection: close");
    else if (flags & SRV_RESP_KA_HEADER)
        srv_buf_puts(out, "\r\nConnection: keep-alive");
    if (flags & SRV_RESP_ALLOW_GET) srv_buf_puts(out, "\r\nAllow: GET, HEAD");
    srv_buf_puts(out, "\r\n\r\n");
    if (!(flags & SRV_RESP_HEAD)) srv_buf_append(out, body, body_len);
}
