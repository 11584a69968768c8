/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qmb_clock.h"

int64_t
qmb_now(void)
{
	struct timespec ts;
	const char *fake;
	int64_t ms;

	if ((fake = getenv("QMB_NOW")) != NULL && qmb_time_parse(fake, &ms) == 0)
		return ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
qmb_mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void
qmb_time_fmt(int64_t ms, char *buf)
{
	time_t t;
	struct tm tm;
	int64_t sec = ms / 1000, frac = ms % 1000;

	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	/* a year beyond 9999 would not fit: clamp rather than truncate */
	if (tm.tm_year > 9999 - 1900 || tm.tm_year < -1900)
		tm.tm_year = tm.tm_year < 0 ? -1900 : 9999 - 1900;
	snprintf(buf, QMB_TIME_LEN + 1, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
	    (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
	    (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
	    (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u,
	    (unsigned)frac % 1000u);
}

static int
digits(const char **sp, int n, int *out)
{
	const char *s = *sp;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	*sp = s + n;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
parse_tz(const char *s, int64_t *offms)
{
	int hh, mm, sign;

	*offms = 0;
	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0)
		return 0;
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (digits(&s, 2, &hh) == -1 || *s++ != ':' ||
	    digits(&s, 2, &mm) == -1 || *s != '\0' || hh > 23 || mm > 59)
		return -1;
	*offms = sign * ((int64_t)hh * 3600 + mm * 60) * 1000;
	return 0;
}

int
qmb_time_parse(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, scale = 100;
	int64_t off = 0;

	if (digits(&s, 4, &y) == -1 || *s++ != '-' || digits(&s, 2, &mo) == -1 ||
	    *s++ != '-' || digits(&s, 2, &d) == -1)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (*s != '\0') {
		if (*s != 'T' && *s != 't' && *s != ' ')
			return -1;
		s++;
		if (digits(&s, 2, &h) == -1 || *s++ != ':' ||
		    digits(&s, 2, &mi) == -1 || *s++ != ':' ||
		    digits(&s, 2, &sec) == -1)
			return -1;
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -1;
			for (; isdigit((unsigned char)*s); s++) {
				frac += (*s - '0') * scale;
				scale /= 10;
			}
		}
		if (parse_tz(s, &off) == -1)
			return -1;
	}
	*ms = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) *
	    1000 + frac - off;
	return 0;
}

int
qmb_duration_parse(const char *s, int64_t *ms)
{
	char *end;
	long long v;
	int64_t unit;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (end == s || v < 0 || v > 1000000000LL)
		return -1;
	switch (*end) {
	case 's': unit = 1000; break;
	case 'm': unit = 60000; break;
	case 'h': unit = 3600000; break;
	case 'd': unit = 86400000; break;
	case 'w': unit = 7 * 86400000LL; break;
	default: return -1;
	}
	if (end[1] != '\0')
		return -1;
	*ms = v * unit;
	return 0;
}

void
qmb_time_ago(int64_t then, int64_t now, char *buf, size_t size)
{
	static const struct { int64_t ms; const char *name; } units[] = {
		{ 365 * 86400000LL, "year" }, { 30 * 86400000LL, "month" },
		{ 7 * 86400000LL, "week" }, { 86400000LL, "day" },
		{ 3600000LL, "hour" }, { 60000LL, "minute" },
	};
	int64_t d = now - then;
	int future = d < 0;
	size_t i;

	if (future)
		d = -d;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		int64_t n = d / units[i].ms;

		if (n < 1)
			continue;
		snprintf(buf, size, "%s%lld %s%s%s", future ? "in " : "",
		    (long long)n, units[i].name, n == 1 ? "" : "s",
		    future ? "" : " ago");
		return;
	}
	snprintf(buf, size, "just now");
}
