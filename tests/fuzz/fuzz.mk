# SPDX-License-Identifier: MIT
# The libFuzzer harnesses of tests/fuzz/ (README "Tests"), included by the root Makefile.
#   make fuzz-build                 build/fuzz/fuzz_<name>: clang, libFuzzer, ASan+UBSan
#   make fuzz [FUZZ_SECONDS=N]      every harness for N seconds (default 15), FUZZ_JOBS at a time
# libbm and the service sources a harness needs are compiled here again with clang and
# coverage instrumentation (-fsanitize=fuzzer-no-link); the gcc objects of build/<mode> are
# not used. Only the link of a harness adds libFuzzer's main (-fsanitize=fuzzer).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 15
FUZZ_JOBS ?= 2
FUZZ_BUILD := build/fuzz
FUZZ_NAMES := request json attachments token mime fields route
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = $(BASE_CFLAGS) -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	-Itests/fuzz -Iservices/submission -Iservices/worker $(PKG_CFLAGS)
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

# The service code each harness links beyond libbm (its field tables, its checks).
FUZZ_SVC_request := verification
FUZZ_SVC_json := submission
FUZZ_SVC_attachments := submission
FUZZ_SVC_token :=
FUZZ_SVC_mime := worker
FUZZ_SVC_fields := submission verification routing status appeal
FUZZ_SVC_route := submission verification routing status appeal
fuzz_svc_lib = $(foreach s,$(FUZZ_SVC_$(1)),$(FUZZ_BUILD)/libsvc-$(s).a)
fuzz_svc_objs = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out %/main.c,$(wildcard services/$(1)/*.c)))

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

# The build in parallel unless make already runs with a jobserver (make -jN fuzz).
fuzz:
	@$(MAKE) --no-print-directory $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(FUZZ_JOBS)) fuzz-build
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_NAMES)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC (fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libbm.a: $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
	@rm -f $@
	@$(AR) rcs $@ $^

.SECONDEXPANSION:
$(FUZZ_BUILD)/libsvc-%.a: $$(call fuzz_svc_objs,$$*)
	@rm -f $@
	@$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $$(call fuzz_svc_lib,$$*) \
		$(FUZZ_BUILD)/libbm.a
	@echo "  LD $@"
	@$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(PKG_LIBS) -lpthread

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
