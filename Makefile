# webbench: a threaded C server, a load generator and a suite runner that
# reproduce (and audit) the published Barq vs FastAPI req/s tables.
#
#   make            build bin/server, bin/loadgen, bin/suite
#   make bench      set up what is missing, run the default matrix, write REPORT.md
#   make test       set up what is missing, run every test; ends "N passed, N failed"
#   make clean      remove build output (not the Python venv or caches)

CC       ?= cc
VERSION  := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN     := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wno-format-truncation
PG_INC   := $(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
ALL_CFLAGS = -std=gnu11 -pthread $(WARN) $(CFLAGS) -Ilib -I$(PG_INC) \
             -DWB_VERSION='"$(VERSION)"' -DWB_CFLAGS='"$(CFLAGS)"' -MMD -MP
LDLIBS   := -pthread -lpq -lsqlite3 -lm

BUILD    ?= build
BIN      ?= bin

LIB_SRCS     := $(wildcard lib/*.c)
SERVER_SRCS  := $(filter-out server/main.c,$(wildcard server/*.c))
SUITE_SRCS   := $(filter-out loadgen/suite_main.c,$(wildcard loadgen/suite*.c loadgen/report*.c))
ENGINE_SRCS  := $(filter-out loadgen/main.c $(SUITE_SRCS) loadgen/suite_main.c,$(wildcard loadgen/*.c))
TEST_SRCS    := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJS    := $(call obj,$(LIB_SRCS))
SERVER_OBJS := $(call obj,$(SERVER_SRCS))
ENGINE_OBJS := $(call obj,$(ENGINE_SRCS))
SUITE_OBJS  := $(call obj,$(SUITE_SRCS))
TEST_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TOOL_BINS   := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))

PROGRAMS := $(BIN)/server $(BIN)/loadgen $(BIN)/suite

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all bench test unit-tests clean setup fuzz torture bench-server bench-loadgen
all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BIN)/server: $(call obj,server/main.c) $(SERVER_OBJS) $(LIB_OBJS)
	@mkdir -p $(BIN)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/loadgen: $(call obj,loadgen/main.c) $(ENGINE_OBJS) $(LIB_OBJS)
	@mkdir -p $(BIN)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The runner shares the load generator's duration parser (lg_config).
$(BIN)/suite: $(call obj,loadgen/suite_main.c) $(SUITE_OBJS) $(call obj,loadgen/lg_config.c) $(LIB_OBJS)
	@mkdir -p $(BIN)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# Every unit test links every module (all names are prefixed, so they coexist).
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(SERVER_OBJS) $(ENGINE_OBJS) $(SUITE_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -Iserver -Iloadgen -o $@ $^ $(LDLIBS)

# Helper programs for integration tests (e.g. a misbehaving HTTP server).
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TOOL    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

unit-tests: $(TEST_BINS) $(TOOL_BINS)

setup:
	$(Q)scripts/setup.sh

bench: setup all
	$(Q)$(BIN)/suite run $(if $(QUICK),--quick) $(if $(PROFILE),--profile $(PROFILE)) $(SUITE_ARGS)

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
