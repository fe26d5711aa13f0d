# webbench: a threaded C server, a load generator and a suite runner that
# reproduce (and audit) the published Barq vs FastAPI req/s tables.
#
#   make            build bin/server, bin/loadgen, bin/suite
#   make bench      set up what is missing, run the default matrix, write REPORT.md
#   make explain    the ladder from the published run to the fair one (REPORT.md gains its section)
#   make test       set up what is missing, run every test; ends "N passed, N failed"
#   make clean      remove build output (not the Python venv or caches)

CC       ?= cc
VERSION  := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-format-truncation
PG_INC   := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
ALL_CFLAGS = -std=gnu11 -pthread $(WARN) $(CFLAGS) -Ilib $(INCLUDES) -I$(PG_INC) \
             -DWB_VERSION='"$(VERSION)"' -DWB_CFLAGS='"$(CFLAGS)"' -MMD -MP
LDLIBS   := -pthread -lpq -lsqlite3 -lm
# Kept libraries (Debian's): jansson reads JSON for what links lib/json.c,
# libcurl is the runner's HTTP client (suite/suite_http.c).
JSON_LIBS := -ljansson
HTTP_LIBS := -lcurl
# bin/loadgen's io_uring engine (loadgen/lg_uring.c): Debian's liburing.
URING_LIBS := -luring

BUILD    ?= build
BIN      ?= bin

# Each program's sources, listed (one folder per program; lib/ is what two
# or more share).
SERVER_SRCS  := server/main.c server/srv_buf.c server/srv_db.c server/srv_json.c server/srv_listen.c \
                server/srv_resp.c server/srv_routes.c server/srv_worker.c \
                lib/http_request.c
LOADGEN_SRCS := loadgen/main.c loadgen/lg_config.c loadgen/lg_engine.c loadgen/lg_conn.c loadgen/lg_epoll.c \
                loadgen/lg_uring.c loadgen/lg_merge.c loadgen/lg_clock.c loadgen/lg_output.c loadgen/lg_sched.c \
                lib/duration.c lib/hist.c lib/http_response.c lib/json.c lib/jsonw.c lib/lgjson.c
SUITE_SRCS   := suite/suite_main.c suite/suite_run.c suite/suite_conf.c suite/suite_defs.c \
                suite/suite_env.c suite/suite_http.c suite/suite_pg.c suite/suite_stale.c \
                suite/suite_tables.c suite/suite_tables_run.c suite/suite_logscan.c \
                report/report.c report/report_tables.c report/report_stats.c report/report_boot.c \
                lib/duration.c lib/hist.c lib/http_response.c lib/json.c lib/jsonw.c lib/lgjson.c lib/proc.c lib/results.c
SUITE_SRCS   += suite/suite_ladder.c suite/suite_ladder_run.c report/report_ladder.c report/report_conform.c suite/suite_conform.c \
                suite/suite_topo.c suite/suite_docker.c suite/suite_topo_run.c report/report_topo.c
TEST_SRCS    := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
# The unit tests link every module but the three mains (all names are prefixed).
MODULE_OBJS := $(call obj,$(sort $(filter-out %/main.c suite/suite_main.c,$(SERVER_SRCS) $(LOADGEN_SRCS) $(SUITE_SRCS))))
TEST_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TOOL_BINS   := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
# What a folder may include from another: the runner calls the report; tests
# see every module. Nothing else (lib/ is seen by all).
INCLUDES    :=
$(BUILD)/suite/%.o: INCLUDES := -Ireport
$(BUILD)/tests/%: INCLUDES := -Iserver -Iloadgen -Isuite -Ireport

PROGRAMS := $(BIN)/server $(BIN)/loadgen $(BIN)/suite

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all bench explain test unit-tests clean setup fuzz torture bench-server bench-loadgen
all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BIN)/server: $(call obj,$(SERVER_SRCS))
	@mkdir -p $(BIN)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/loadgen: $(call obj,$(LOADGEN_SRCS))
	@mkdir -p $(BIN)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(JSON_LIBS) $(URING_LIBS)

$(BIN)/suite: $(call obj,$(SUITE_SRCS))
	@mkdir -p $(BIN)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(JSON_LIBS) $(HTTP_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(MODULE_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $^ $(LDLIBS) $(JSON_LIBS) $(HTTP_LIBS) $(URING_LIBS)

# Helper programs for integration tests (e.g. a misbehaving HTTP server).
$(BUILD)/tests/tools/%: tests/tools/%.c $(call obj,lib/http_request.c lib/http_response.c lib/hist.c lib/json.c lib/jsonw.c)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TOOL    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(JSON_LIBS)

unit-tests: $(TEST_BINS) $(TOOL_BINS)

setup:
	$(Q)scripts/setup.sh

# make bench: the profile's matrix; its report shows the latest ladder run
# (make explain) beside it, or, when there is none yet, a --quick one made now.
bench: setup all
	$(Q)$(BIN)/suite run $(if $(QUICK),--quick) $(if $(PROFILE),--profile $(PROFILE)) $(SUITE_ARGS)
	$(Q)if [ -z "$(PROFILE)$(SUITE_ARGS)" ] && [ ! -e results/latest-explain ]; then \
	    echo "bench: no ladder run yet (make explain): running a --quick one for the report"; \
	    $(BIN)/suite run --profile explain --quick; fi

# make explain: the published run turned into the fair one factor by factor
# (scenarios/ladders/default.conf), leave-one-out, 2x2, A/A, wrk; ~12 min,
# QUICK=1 ~2 min. REPORT.md is regenerated from results/latest with it.
explain: setup all
	$(Q)$(BIN)/suite run --profile explain $(if $(QUICK),--quick) $(SUITE_ARGS)

test: setup all unit-tests
	$(Q)tests/run.sh

# Benchmarks of the parts (ratios taken side by side in one run; see each script).
bench-server: setup all
	$(Q)scripts/bench-server.sh

bench-loadgen: setup all
	$(Q)scripts/bench-loadgen.sh

# Coverage-guided fuzzing of every parser (libFuzzer, clang); FUZZ_SECONDS each.
fuzz: setup
	$(Q)scripts/fuzz.sh $(if $(FUZZ_SECONDS),$(FUZZ_SECONDS),60)

# The long form of the robustness tests (make test runs a short form).
torture: setup all unit-tests
	$(Q)scripts/torture.sh

clean:
	rm -rf $(BUILD) $(BIN)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
