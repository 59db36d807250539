# SPDX-License-Identifier: MIT
# BİMER build and run. The README's two commands: `make run` and `make test`.
#   make build [MODE=release|asan]  build libbm, services, worker, tools, unit tests
#   make run | make stop            the local stack on 127.0.0.1:$(BIMER_HTTP_PORT)
#   make test                       every test, against a private stack
MODE ?= release
BUILD := build/$(MODE)
PKGS := fcgi hiredis libmariadb jansson libjwt libcrypto libcurl libargon2

CC ?= cc
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wno-missing-field-initializers
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread -Icommon $(WARN) -g
ifeq ($(MODE),asan)
  MODE_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  MODE_LDFLAGS := -fsanitize=address,undefined
else
  MODE_CFLAGS := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
  MODE_LDFLAGS :=
endif

# pkg-config is asked only when something is compiled (make deps may not have run yet).
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CFLAGS_ALL = $(BASE_CFLAGS) $(MODE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(MODE_LDFLAGS) $(PKG_LIBS) -lpthread $(LDFLAGS)

LIB_SRC := $(wildcard common/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libbm.a

SERVICES := submission verification routing status appeal worker migrate audit demodata
BINS := $(SERVICES:%=$(BUILD)/bin/bimer-%)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Service code a unit test links beyond libbm (objects by a function, as svc_objs below).
UNIT_EXTRA_test_mime := services/worker/mime.c
unit_extra = $(patsubst %.c,$(BUILD)/obj/%.o,$(UNIT_EXTRA_$(1)))

.PHONY: all build deps run stop test unit clean format format-check
.SECONDARY:
all: build

build: $(BINS) $(UNIT_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(AR) rcs $@ $^

# Objects of services/<name>/*.c (a function, so the rule's % is not substituted into it).
svc_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/$(1)/*.c))

.SECONDEXPANSION:
$(BUILD)/bin/bimer-%: $$(call svc_objs,$$*) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $$(call unit_extra,$$*) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS_ALL) -lcmocka

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

deps:
	@deploy/deps.sh

run: deps
	@$(MAKE) --no-print-directory build MODE=release
	@deploy/local/stack.sh up

stop:
	@deploy/local/stack.sh down

unit: build
	@tests/run-unit.sh $(BUILD)/tests

test: deps
	@tests/run.sh

# style.md: clang-format (.clang-format at the root) decides the layout of every C file.
FORMAT_SRC = common/*.[ch] services/*/*.[ch] tests/unit/*.c tests/fuzz/*.[ch]
format:
	clang-format -i $(FORMAT_SRC)

# Part of make test: fails, naming the files, when one is not as clang-format lays it out.
format-check:
	@bad=$$(for f in $(FORMAT_SRC); do clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not clang-formatted (make format):" $$bad; exit 1; fi

# Demo data at scale into the running `make run` stack (README "Demo data at scale"):
#   make demo-data [N=10000] [DEMO_ARGS='--seed 7 --from 2025-01 --months 6']
# BIMER_VAR_DIR (default var/) names the stack; its env file holds the database and keys.
N ?= 10000
.PHONY: demo-data
demo-data:
	@$(MAKE) --no-print-directory -s MODE=release build/release/bin/bimer-demodata
	@env_file="$${BIMER_VAR_DIR:-var}/env"; \
	if [ ! -f "$$env_file" ]; then echo "make demo-data: no stack at $$env_file (make run first)" >&2; exit 1; fi; \
	set -a; . "$$env_file"; set +a; build/release/bin/bimer-demodata --count "$(N)" $(DEMO_ARGS)

clean:
	rm -rf build

include tests/fuzz/fuzz.mk
