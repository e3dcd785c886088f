# sghook: `make` builds ./sghook; `make test` runs every test of it;
# `make check` is what CI runs (the tests of every build).
#
# LIBGIT2=bundled (the default) builds libgit2 from Debian's source package
# into build/libgit2, once, static and without network crypto (mk/libgit2.sh);
# PCRE2, http-parser, zlib and libdeflate are linked statically too, so the
# binary needs nothing but libc. LIBGIT2=system links the distribution's
# libgit2 through pkg-config instead, for packagers.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
RULESDIR ?= $(PREFIX)/share/sghook/rules
DESTDIR ?=
LIBGIT2 ?= bundled

CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=

GIT2_DIR := build/libgit2
ifeq ($(LIBGIT2),system)
GIT2_CFLAGS := $(shell pkg-config --cflags libgit2 libpcre2-8 zlib)
GIT2_LIBS   := $(shell pkg-config --libs libgit2 libpcre2-8 zlib)
GIT2_DEP    :=
GIT2_SOURCE := system
else ifeq ($(LIBGIT2),bundled)
GIT2_CFLAGS := -I$(GIT2_DIR)/prefix/include
GIT2_LIBS   := $(GIT2_DIR)/prefix/lib/libgit2.a \
	-Wl,-Bstatic -lhttp_parser -lpcre2-8 -lz -Wl,-Bdynamic -lrt
GIT2_DEP    := $(GIT2_DIR)/prefix/lib/libgit2.a
GIT2_SOURCE = $(shell cat $(GIT2_DIR)/prefix/VERSION 2>/dev/null)
else
$(error LIBGIT2 must be bundled or system, not '$(LIBGIT2)')
endif

# jansson reads --baseline reports; static beside the bundled libgit2.
JSON_CFLAGS := $(shell pkg-config --cflags jansson)
ifeq ($(LIBGIT2),system)
JSON_LIBS   := $(shell pkg-config --libs jansson)
else
JSON_LIBS   := -Wl,-Bstatic -ljansson -Wl,-Bdynamic
endif

# The static build hands libgit2's inflate() calls to lib/inflate.c, which
# passes whole streams to libdeflate (twice as fast) and the rest to zlib;
# --wrap reaches into libgit2.a, not into the system's shared libgit2.
ifeq ($(LIBGIT2),bundled)
INFLATE_OBJ  := lib/inflate.o
GIT2_LIBS    += -Wl,--wrap=inflate -Wl,-Bstatic -ldeflate -Wl,-Bdynamic
endif

# What the build needs whatever CFLAGS and LDFLAGS the caller gives.
ALL_CFLAGS  = -std=c11 -Wall -Wextra -pthread -MMD -MP $(GIT2_CFLAGS) $(JSON_CFLAGS) -Ilib $(CFLAGS)
ALL_LDFLAGS = -pthread $(LDFLAGS)
LIBS        = $(GIT2_LIBS) $(JSON_LIBS) -lm

LIB_SRC := $(filter-out lib/inflate.c,$(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:.c=.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:.c=)

all: sghook

# Objects rebuild when the compiler, flags, libgit2 or baked-in paths change.
BUILD_FLAGS := $(CC) | $(CFLAGS) | $(LDFLAGS) | $(LIBGIT2) $(GIT2_DIR) | $(RULESDIR)
$(shell mkdir -p build && { [ "`cat build/flags 2>/dev/null`" = "$(BUILD_FLAGS)" ] || \
	printf '%s\n' "$(BUILD_FLAGS)" > build/flags; })

$(GIT2_DIR)/prefix/lib/libgit2.a: mk/libgit2.sh
	mk/libgit2.sh $(GIT2_DIR)

lib/libsghook.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

lib/%.o: lib/%.c build/flags | $(GIT2_DEP)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

hook/main.o: hook/main.c build/flags | $(GIT2_DEP)
	$(CC) $(ALL_CFLAGS) -DSGHOOK_RULESDIR='"$(RULESDIR)"' \
		-DSGHOOK_LIBGIT2_SOURCE='"$(GIT2_SOURCE)"' -c -o $@ $<

hook/push.o hook/doctor.o: hook/%.o: hook/%.c build/flags | $(GIT2_DEP)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

HOOK_OBJ := hook/main.o hook/push.o hook/doctor.o

sghook: $(HOOK_OBJ) $(INFLATE_OBJ) lib/libsghook.a $(GIT2_DEP)
	$(CC) $(ALL_LDFLAGS) -o $@ $(HOOK_OBJ) $(INFLATE_OBJ) lib/libsghook.a $(LIBS)

tests/unit/%: tests/unit/%.c $(INFLATE_OBJ) lib/libsghook.a $(GIT2_DEP)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(INFLATE_OBJ) lib/libsghook.a $(LIBS) -lcmocka

-include $(LIB_OBJ:.o=.d) $(INFLATE_OBJ:.o=.d) $(HOOK_OBJ:.o=.d) $(UNIT_BIN:=.d)

# Unit tests of lib/, then the suites that drive real git.
# Every suite runs, whatever an earlier one found; the result fails at the end.
test: sghook $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "# $$t"; ./$$t || fail=1; done; \
	bats tests/ || fail=1; exit $$fail

# What CI runs: every test of the default build, then the other builds:
# the system one, and the whole suite again under the sanitizers.
check: test check-system test-sanitize check-fuzz

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "# $$t"; ./$$t || fail=1; done; exit $$fail

# The packagers' build (LIBGIT2=system) in a copy of the tree under
# build/system, so that it never mixes objects with the default build:
# its unit tests and a smoke test of the binary.
check-system:
	rm -rf build/system && mkdir -p build/system
	tar -cf - --exclude=./build --exclude=./.git . | tar -C build/system -xf -
	$(MAKE) -C build/system LIBGIT2=system sghook unit
	bats build/system/tests/smoke

bench: sghook
	bench/run

# clean keeps the libgit2 build (a minute to redo); distclean drops it.
clean:
	rm -f sghook hook/*.o hook/*.d lib/*.o lib/*.d lib/libsghook.a \
		$(UNIT_BIN) $(UNIT_BIN:=.d) build/flags

distclean: clean
	rm -rf build

.PHONY: all test check unit check-system bench clean distclean

# ---- installing and releasing ------------------------------------------
# `make install` puts the binary, its rules, sghook(1) and the hook scripts
# (for copying by hand) under $(DESTDIR)$(PREFIX); `make uninstall` removes
# exactly those files, then the directories that are sghook's alone, when
# empty. Shared directories (bin, man1) stay. `make dist` is a tarball of
# the committed sources (git archive HEAD).
SHAREDIR ?= $(PREFIX)/share/sghook
HOOKSDIR ?= $(SHAREDIR)/hooks
MANDIR   ?= $(PREFIX)/share/man
RULE_FILES := $(wildcard rules/*.rules rules/*.txt)
# The hook scripts are the files install.sh marks as its own: hook/pre-commit
# and its links, one script that learns which hook it is from the name
# baked in here (as install.sh does), and hook/dispatch.
HOOK_FILES := $(shell grep -lI '^\# sghook-managed-hook' hook/* 2>/dev/null)
VERSION  := $(shell sed -n 's/^\#define SGHOOK_VERSION "\(.*\)"/\1/p' lib/sghook.h)
DISTNAME ?= sghook-$(VERSION)
DISTFILE ?= $(DISTNAME).tar.gz

install: sghook
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(RULESDIR) \
		$(DESTDIR)$(HOOKSDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 sghook $(DESTDIR)$(BINDIR)/sghook
	install -m 644 $(RULE_FILES) $(DESTDIR)$(RULESDIR)/
	for f in $(HOOK_FILES); do \
		h=$${f##*/}; \
		sed "s/^SGHOOK_HOOK=''$$/SGHOOK_HOOK='$$h'/" "$$f" >$(DESTDIR)$(HOOKSDIR)/$$h && \
		chmod 755 $(DESTDIR)$(HOOKSDIR)/$$h || exit 1; \
	done
	install -m 644 hook/sghook.1 $(DESTDIR)$(MANDIR)/man1/sghook.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sghook $(DESTDIR)$(MANDIR)/man1/sghook.1 \
		$(addprefix $(DESTDIR)$(RULESDIR)/,$(notdir $(RULE_FILES))) \
		$(addprefix $(DESTDIR)$(HOOKSDIR)/,$(notdir $(HOOK_FILES)))
	for d in $(DESTDIR)$(RULESDIR) $(DESTDIR)$(HOOKSDIR) $(DESTDIR)$(SHAREDIR); do \
		[ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d" || exit 1; \
	done

dist:
	@git rev-parse --verify -q HEAD >/dev/null || \
		{ echo "make dist: needs a git checkout with a commit (it archives HEAD)" >&2; exit 2; }
	git archive --format=tar.gz --prefix=$(DISTNAME)/ -o $(DISTFILE) HEAD

.PHONY: install uninstall dist

# ---- sanitizers (tests/sanitize.sh) -----------------------------------
# The whole suite again, built with ASan, UBSan and LSan in a copy of the
# tree under build/sanitize; any report fails it.
test-sanitize:
	tests/sanitize.sh

.PHONY: test-sanitize

# ---- fuzz targets (tests/fuzz/): libFuzzer, ASan and UBSan, clang from Debian
# `make fuzz` runs each target for FUZZ_TIME seconds (and at most FUZZ_RUNS
# executions) from its committed seeds; see tests/fuzz/run. lib/ is built
# apart for them, in tests/fuzz/obj/.
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_RUNS    ?= -1
FUZZ_TARGETS ?= match rules ignore hookinput report index decode message
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = -g -O1 -fno-omit-frame-pointer -std=c11 -Wall -Wextra -pthread \
	$(GIT2_CFLAGS) $(JSON_CFLAGS) -Ilib
FUZZ_OBJ     := $(LIB_SRC:lib/%.c=tests/fuzz/obj/%.o) \
	$(INFLATE_OBJ:lib/%.o=tests/fuzz/obj/%.o)
FUZZ_BIN     := $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%)

tests/fuzz/obj/%.o: lib/%.c build/flags | $(GIT2_DEP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ) $(GIT2_DEP)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_OBJ) $(LIBS)

-include $(FUZZ_OBJ:.o=.d)
# Kept between runs: make would delete them as intermediates.
.SECONDARY: $(FUZZ_OBJ)

fuzz: $(FUZZ_BIN)
	tests/fuzz/run $(FUZZ_TIME) $(FUZZ_RUNS) $(FUZZ_TARGETS)

# CI's share: every target for a short while from its seeds.
check-fuzz:
	$(MAKE) fuzz FUZZ_TIME=20

fuzz-clean:
	rm -rf tests/fuzz/obj $(FUZZ_BIN)

clean: fuzz-clean

.PHONY: fuzz check-fuzz fuzz-clean
