# sghook: `make` builds ./sghook; `make test` runs every test.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
RULESDIR ?= $(PREFIX)/share/sghook/rules
DESTDIR ?=

PKGS    := libgit2 libpcre2-8
CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -pthread $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lm -pthread

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:.c=.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:.c=)

all: sghook

lib/libsghook.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

lib/%.o: lib/%.c lib/sghook.h lib/rules_internal.h lib/oidmap.h lib/procs.h lib/scan_internal.h
	$(CC) $(CFLAGS) -Ilib -c -o $@ $<

hook/main.o: hook/main.c lib/sghook.h
	$(CC) $(CFLAGS) -Ilib -DSGHOOK_RULESDIR='"$(RULESDIR)"' -c -o $@ $<

sghook: hook/main.o lib/libsghook.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

tests/unit/%: tests/unit/%.c lib/libsghook.a
	$(CC) $(CFLAGS) -Ilib -o $@ $< lib/libsghook.a $(LDLIBS) -lcmocka

# Unit tests of lib/, then the suites that drive real git.
# Every suite runs, whatever an earlier one found; the result fails at the end.
test: sghook $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "# $$t"; ./$$t || fail=1; done; \
	bats tests/ || fail=1; exit $$fail

bench: sghook
	bench/run

install: sghook
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(RULESDIR)
	install -m 755 sghook $(DESTDIR)$(BINDIR)/sghook
	install -m 644 rules/*.rules rules/*.txt $(DESTDIR)$(RULESDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sghook
	rm -rf $(DESTDIR)$(PREFIX)/share/sghook

clean:
	rm -f sghook hook/*.o lib/*.o lib/libsghook.a $(UNIT_BIN)

.PHONY: all test bench install uninstall clean
