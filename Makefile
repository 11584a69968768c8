# qmb: operations and recovery for QlikModelBuilder sessions
include config.mk

PROGS   = qmb-session qmb-log qmb-audit qmb-mcp
LIBSRC  = lib/qmb_err.c lib/qmb_buf.c lib/qmb_json.c lib/qmb_io.c \
          lib/qmb_atomic.c lib/qmb_lock.c lib/qmb_paths.c lib/qmb_clock.c \
          lib/qmb_sha256.c lib/qmb_log.c lib/qmb_audit.c lib/qmb_session.c \
          lib/qmb_replay.c lib/qmb_txn.c lib/qmb_prog.c lib/qmb_view.c lib/qmb_config.c lib/qmb_logread.c \
          lib/qmb_kv.c lib/qmb_verify.c lib/qmb_mirror.c lib/qmb_index.c
LIBOBJ  = $(LIBSRC:.c=.o)
SESSION_OBJ = cmd/qmb-session/main.o cmd/qmb-session/cmds.o \
              cmd/qmb-session/change.o cmd/qmb-session/finish.o
LOG_OBJ = cmd/qmb-log/main.o cmd/qmb-log/write.o cmd/qmb-log/show.o
AUDIT_OBJ = cmd/qmb-audit/main.o cmd/qmb-audit/append.o cmd/qmb-audit/verify.o
MCP_CORE = cmd/qmb-mcp/rpc.o cmd/qmb-mcp/tools.o cmd/qmb-mcp/session.o \
           cmd/qmb-mcp/ops.o cmd/qmb-mcp/result.o cmd/qmb-mcp/run.o
MCP_OBJ = cmd/qmb-mcp/main.o $(MCP_CORE)
LIBHDR  = $(wildcard lib/*.h)
UNITSRC = $(wildcard tests/unit/test_*.c)
UNITS   = $(UNITSRC:.c=)
HELPERS = tests/helper/qmb-fault-probe
MAN     = man/qmb-session.1 man/qmb.7

# Rebuild everything when the flags change (make check SANITIZE=1 after make).
FLAGS_LINE := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
FLAGS_OLD  := $(shell cat .flags 2>/dev/null)
ifneq ($(FLAGS_LINE),$(FLAGS_OLD))
$(shell printf '%s\n' '$(FLAGS_LINE)' > .flags)
endif

all: $(PROGS)

.SUFFIXES: .c .o
.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ -c $<

$(LIBOBJ) $(SESSION_OBJ) $(LOG_OBJ) $(AUDIT_OBJ) $(MCP_OBJ): $(LIBHDR) .flags

libqmb.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(SESSION_OBJ): cmd/qmb-session/session.h
$(LOG_OBJ): cmd/qmb-log/log.h
$(AUDIT_OBJ): cmd/qmb-audit/audit.h
$(MCP_OBJ): cmd/qmb-mcp/mcp.h cmd/qmb-mcp/tools.h cmd/qmb-mcp/result.h

qmb-log: $(LOG_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(LOG_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-audit: $(AUDIT_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(AUDIT_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-mcp: $(MCP_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(MCP_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-session: $(SESSION_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(SESSION_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

tests/unit/test_%: tests/unit/test_%.c libqmb.a tests/unit/tap.h .flags
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

tests/helper/%: tests/helper/%.c libqmb.a .flags
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

check: all $(UNITS)
	@sh tests/run.sh

demo: all
	@sh share/demo.sh

bench: all
	@sh tests/bench/run.sh

lint: all
	cd man && mandoc -Tlint -W style *.1 *.7
	@! nm -g --defined-only libqmb.a | awk 'NF == 3 && $$3 !~ /^qmb_/ && $$3 !~ /^jsmn_/ { print; bad = 1 } END { exit !bad }'
	@! grep -nE '\b(sprintf|strcpy|strcat|strtok|atoi|system)\(' lib/*.c cmd/*/*.c
	shellcheck -s bash share/*.sh tests/run.sh completions/*.bash

deps:
	@sh share/deps.sh

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man7 $(DESTDIR)$(SHAREDIR) \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	cp -f $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	cp -f man/*.1 $(DESTDIR)$(MANPREFIX)/man1/
	cp -f man/*.7 $(DESTDIR)$(MANPREFIX)/man7/
	cp -f share/demo.sh $(DESTDIR)$(SHAREDIR)/
	for p in $(PROGS); do \
	    cp -f completions/$$p.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p; \
	    cp -f completions/_$$p $(DESTDIR)$(PREFIX)/share/zsh/site-functions/; \
	    cp -f completions/$$p.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/; \
	done

uninstall:
	for p in $(PROGS); do \
	    rm -f $(DESTDIR)$(PREFIX)/bin/$$p $(DESTDIR)$(MANPREFIX)/man1/$$p.1 \
	        $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p \
	        $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$p \
	        $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$p.fish; \
	done
	rm -f $(DESTDIR)$(MANPREFIX)/man7/qmb.7
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -f $(PROGS) libqmb.a lib/*.o cmd/*/*.o $(UNITS) $(HELPERS) .flags

.PHONY: all check demo bench lint deps install uninstall clean
