# qmb: operations and recovery for QlikModelBuilder sessions
include config.mk

PROGS   = qmb-session qmb-log qmb-audit qmb-mcp qmb-review qmb-recover qmb-rotate
LIBSRC  = lib/qmb_err.c lib/qmb_buf.c lib/qmb_jlex.c lib/qmb_json.c lib/qmb_jw.c \
          lib/qmb_io.c \
          lib/qmb_atomic.c lib/qmb_lock.c lib/qmb_paths.c lib/qmb_clock.c \
          lib/qmb_sha256.c lib/qmb_log.c lib/qmb_audit.c lib/qmb_session.c \
          lib/qmb_replay.c lib/qmb_txn.c lib/qmb_prog.c lib/qmb_cli.c lib/qmb_complete.c lib/qmb_cli_index.c \
          lib/qmb_cli_main.c lib/qmb_view.c lib/qmb_config.c lib/qmb_logread.c \
          lib/qmb_kv.c lib/qmb_verify.c lib/qmb_mirror.c lib/qmb_index.c \
          lib/qmb_gfail.c lib/qmb_gemreq.c lib/qmb_gemans.c lib/qmb_gemini.c \
          lib/qmb_jdoc.c lib/qmb_prompt.c \
          lib/qmb_trailrd.c \
          lib/qmb_rrecord.c lib/qmb_rcache.c lib/qmb_rqueue.c lib/qmb_review.c \
          lib/qmb_ids.c lib/qmb_tail.c lib/qmb_salvage.c lib/qmb_trail.c \
          lib/qmb_recover.c lib/qmb_classify.c lib/qmb_repair.c \
          lib/qmb_health.c lib/qmb_report.c lib/qmb_archive.c \
          lib/qmb_retention.c lib/qmb_progress.c
# formats and the migration of the TypeScript tool's files
LIBSRC += lib/qmb_format.c lib/qmb_migrate.c
LIBOBJ  = $(LIBSRC:.c=.o)
SESSION_OBJ = cmd/qmb-session/main.o cmd/qmb-session/spec.o cmd/qmb-session/cmds.o \
              cmd/qmb-session/change.o cmd/qmb-session/finish.o \
              cmd/qmb-session/shared.o
LOG_OBJ = cmd/qmb-log/main.o cmd/qmb-log/spec.o cmd/qmb-log/write.o cmd/qmb-log/show.o
AUDIT_OBJ = cmd/qmb-audit/main.o cmd/qmb-audit/spec.o cmd/qmb-audit/append.o cmd/qmb-audit/verify.o
REVIEW_OBJ = cmd/qmb-review/main.o cmd/qmb-review/spec.o cmd/qmb-review/gem.o cmd/qmb-review/run.o \
             cmd/qmb-review/cmds.o
MCP_CORE = cmd/qmb-mcp/rpc.o cmd/qmb-mcp/tools.o cmd/qmb-mcp/session.o \
           cmd/qmb-mcp/context.o \
           cmd/qmb-mcp/ops.o cmd/qmb-mcp/result.o cmd/qmb-mcp/run.o
MCP_OBJ = cmd/qmb-mcp/main.o cmd/qmb-mcp/serve.o $(MCP_CORE)
RECOVER_OBJ = cmd/qmb-recover/main.o cmd/qmb-recover/spec.o cmd/qmb-recover/check.o \
              cmd/qmb-recover/health.o cmd/qmb-recover/migrate.o
ROTATE_OBJ = cmd/qmb-rotate/main.o cmd/qmb-rotate/spec.o
LIBHDR  = $(wildcard lib/*.h)
UNITSRC = $(wildcard tests/unit/test_*.c)
UNITS   = $(UNITSRC:.c=)
HELPERS = tests/helper/qmb-fault-probe
MAN     = man/qmb-session.1 man/qmb.7 man/qmb-review.1 man/qmb-recover.1 \
          man/qmb-rotate.1 man/qmb-recovery.7
MAN    += man/qmb-mcp.1
MAN    += man/qmb-log.1 man/qmb-audit.1

# Rebuild everything when the flags change (make check SANITIZE=1 after make).
# Goals that compile nothing leave .flags alone.
FLAGS_LINE := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
FLAGS_OLD  := $(shell cat .flags 2>/dev/null)
NOBUILD    := install-data uninstall clean deps check-fresh
ifneq ($(FLAGS_LINE),$(FLAGS_OLD))
ifneq ($(filter-out $(NOBUILD),$(or $(MAKECMDGOALS),all)),)
$(shell printf '%s\n' '$(FLAGS_LINE)' > .flags)
endif
endif

all: $(PROGS)

.SUFFIXES: .c .o
.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ -c $<

$(LIBOBJ) $(SESSION_OBJ) $(LOG_OBJ) $(AUDIT_OBJ) $(MCP_OBJ) $(REVIEW_OBJ) $(RECOVER_OBJ) $(ROTATE_OBJ): $(LIBHDR) .flags

libqmb.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(SESSION_OBJ): cmd/qmb-session/session.h
$(LOG_OBJ): cmd/qmb-log/log.h
$(AUDIT_OBJ): cmd/qmb-audit/audit.h
$(REVIEW_OBJ): cmd/qmb-review/review.h
$(RECOVER_OBJ): cmd/qmb-recover/recover.h
$(ROTATE_OBJ): cmd/qmb-rotate/rotate.h
$(MCP_OBJ): cmd/qmb-mcp/mcp.h cmd/qmb-mcp/tools.h cmd/qmb-mcp/result.h

qmb-log: $(LOG_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(LOG_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-audit: $(AUDIT_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(AUDIT_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-mcp: $(MCP_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(MCP_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-review: $(REVIEW_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(REVIEW_OBJ) libqmb.a $(CURL_LIBS) $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-recover: $(RECOVER_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(RECOVER_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-rotate: $(ROTATE_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(ROTATE_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

qmb-session: $(SESSION_OBJ) libqmb.a
	$(CC) $(LDFLAGS) -o $@ $(SESSION_OBJ) libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

tests/unit/test_%: tests/unit/test_%.c libqmb.a tests/unit/tap.h .flags
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< libqmb.a $(CURL_LIBS) $(MBEDTLS_LIBS) $(Z_LIBS)

# the fuzz targets' replay over tests/fuzz/corpus, one of the unit tests
tests/unit/test_fuzz_replay: tests/unit/test_fuzz_replay.c tests/fuzz/fuzz_mcp.c \
    tests/fuzz/fuzz_json.c $(MCP_CORE) libqmb.a tests/unit/tap.h .flags
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -Icmd/qmb-mcp $(LDFLAGS) -o $@ $< \
	    $(MCP_CORE) libqmb.a $(CURL_LIBS) $(MBEDTLS_LIBS) $(Z_LIBS)

tests/helper/%: tests/helper/%.c libqmb.a .flags
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< libqmb.a $(MBEDTLS_LIBS) $(Z_LIBS)

# make demo and make check bring what they need first (share/deps.sh)
check:
	@sh share/deps.sh check
	@$(MAKE) --no-print-directory all $(UNITS)
	@sh tests/run.sh

# every operation of every changing command with ENOSPC, EIO and EROFS
# (make check runs each operation with one of them)
sweep: all
	@QMB_SWEEP_STRIDE=1 sh tests/run.sh tests/commit.bats

demo:
	@sh share/deps.sh demo
	@$(MAKE) --no-print-directory all
	@sh share/demo.sh

# make demo && make check in a pristine Debian 12 folder (debootstrap,
# chroot; needs root and a Debian mirror): tests/fresh.sh
check-fresh:
	@sh tests/fresh.sh

bench: all
	@sh tests/bench/run.sh

lint: all
	cd man && mandoc -Tlint -W style *.1 *.7
	@! nm -g --defined-only libqmb.a | awk 'NF == 3 && $$3 !~ /^qmb_/ && $$3 !~ /^jsmn_/ { print; bad = 1 } END { exit !bad }'
	@! grep -nE '\b(sprintf|strcpy|strcat|strtok|atoi|system)\(' lib/*.c cmd/*/*.c
	shellcheck -s bash share/*.sh tests/run.sh tests/fresh.sh completions/*.bash

deps:
	@sh share/deps.sh

# make fuzz [FUZZ_TIME=seconds]: build the libFuzzer targets with clang and
# run each for FUZZ_TIME seconds from tests/fuzz/corpus; new inputs and
# crashes go to tests/fuzz/build/
FUZZ_CC    = clang
FUZZ_TIME  = 60
FUZZ_FLAGS = -std=c11 -g -O1 -Wall -Wextra -fno-omit-frame-pointer \
             -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC   = $(LIBSRC) $(MCP_CORE:.o=.c)
FUZZ_BIN   = tests/fuzz/build/fuzz_mcp tests/fuzz/build/fuzz_json

fuzz: $(FUZZ_BIN)
	for t in mcp json; do \
	    mkdir -p tests/fuzz/build/corpus-$$t && \
	    tests/fuzz/build/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
	        -max_len=65536 -dict=tests/fuzz/$$t.dict \
	        -artifact_prefix=tests/fuzz/build/$$t- \
	        tests/fuzz/build/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

tests/fuzz/build/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC) $(LIBHDR) cmd/qmb-mcp/mcp.h \
    cmd/qmb-mcp/tools.h cmd/qmb-mcp/result.h
	mkdir -p tests/fuzz/build
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -Icmd/qmb-mcp -o $@ $< $(FUZZ_SRC) \
	    $(CURL_LIBS) $(MBEDTLS_LIBS) $(Z_LIBS)

.PHONY: fuzz

# the systemd user unit templates and the crontab; in the .in files
# @BINDIR@ becomes the folder the programs are installed in
SYSTEMD_IN = share/systemd/qmb-rotate@.service.in share/systemd/qmb-retention@.service.in \
             share/systemd/qmb-review-retry@.service.in share/systemd/qmb-health@.service.in
SYSTEMD_TIMERS = share/systemd/qmb-rotate@.timer share/systemd/qmb-retention@.timer \
             share/systemd/qmb-review-retry@.timer share/systemd/qmb-health@.timer
SUBST = sed 's|@BINDIR@|$(BINDIR)|g'

install: all install-data
	mkdir -p $(DESTDIR)$(BINDIR)
	cp -f $(PROGS) $(DESTDIR)$(BINDIR)/

# everything but the programs (it builds nothing)
install-data:
	mkdir -p $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man7 $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(SYSTEMDUSERDIR) \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	cp -f man/*.1 $(DESTDIR)$(MANPREFIX)/man1/
	cp -f man/*.7 $(DESTDIR)$(MANPREFIX)/man7/
	cp -f share/demo.sh $(DESTDIR)$(SHAREDIR)/
	cp -f share/review-prompt.txt tests/fake_gemini.py $(DESTDIR)$(SHAREDIR)/
	$(SUBST) share/qmb.cron.in > $(DESTDIR)$(SHAREDIR)/qmb.cron
	for f in $(SYSTEMD_IN); do \
	    b=$${f##*/}; $(SUBST) $$f > $(DESTDIR)$(SYSTEMDUSERDIR)/$${b%.in} || exit 1; \
	done
	cp -f $(SYSTEMD_TIMERS) $(DESTDIR)$(SYSTEMDUSERDIR)/
	for p in $(PROGS); do \
	    cp -f completions/qmb.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p; \
	    sed "1s/.*/#compdef $$p/" completions/_qmb \
	        >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$p; \
	    cp -f completions/qmb.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$p.fish; \
	done

uninstall:
	for p in $(PROGS); do \
	    rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(MANPREFIX)/man1/$$p.1 \
	        $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p \
	        $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$p \
	        $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$p.fish; \
	done
	for f in $(SYSTEMD_IN:.in=) $(SYSTEMD_TIMERS); do \
	    rm -f $(DESTDIR)$(SYSTEMDUSERDIR)/$${f##*/}; \
	done
	rm -f $(DESTDIR)$(MANPREFIX)/man7/qmb.7 $(DESTDIR)$(MANPREFIX)/man7/qmb-recovery.7
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -f $(PROGS) libqmb.a lib/*.o cmd/*/*.o $(UNITS) $(HELPERS) .flags
	rm -rf tests/fuzz/build

.PHONY: all check check-fresh demo bench lint deps install install-data uninstall clean
