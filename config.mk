# qmb build settings
VERSION   = 0.1.0
PREFIX    = /usr/local
BINDIR    = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man
SHAREDIR  = $(PREFIX)/share/qmb
# systemd user units: /usr/local/lib/systemd/user and /usr/lib/systemd/user
# are in the user manager's search path
SYSTEMDUSERDIR = $(PREFIX)/lib/systemd/user

CC       ?= cc
CFLAGS    = -std=c11 -O2 -g -Wall -Wextra -Wpedantic -Werror \
            -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS  = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_GNU_SOURCE -Ilib \
            -DJSMN_STRICT -DJSMN_PARENT_LINKS -DQMB_VERSION=\"$(VERSION)\"
LDFLAGS   =

# Debian 12's mbedTLS ships no pkg-config file
MBEDTLS_LIBS = -lmbedcrypto
CURL_LIBS    = -lcurl
Z_LIBS       = -lz

# make SANITIZE=1: AddressSanitizer and UndefinedBehaviorSanitizer
ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
