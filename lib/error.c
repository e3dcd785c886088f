/* The last error, per thread, as libgit2 keeps its own: a class and a message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sghook.h"

static _Thread_local struct {
	int code;
	char msg[512];
} last;

const char *sghook_error_last(void)
{
	return last.msg[0] ? last.msg : "unknown error";
}

int sghook_error_code(void)
{
	return last.code;
}

static int set(int code, const char *fmt, va_list ap)
{
	vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
	last.code = code;
	return code;
}

int sghook_error_set(const char *fmt, ...)
{
	va_list ap;
	int code;

	va_start(ap, fmt);
	code = set(SGHOOK_ERROR, fmt, ap);
	va_end(ap);
	return code;
}

int sghook_error_set_code(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = set(code, fmt, ap);
	va_end(ap);
	return code;
}

int sghook_error_prefix(const char *fmt, ...)
{
	char msg[sizeof(last.msg)];
	va_list ap;
	int n;

	snprintf(msg, sizeof(msg), "%s", sghook_error_last());
	va_start(ap, fmt);
	n = vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n + 2 < sizeof(last.msg)) {
		size_t at = (size_t)n + 2, room = sizeof(last.msg) - at - 1;
		size_t len = strlen(msg);

		memcpy(last.msg + n, ": ", 2);
		memcpy(last.msg + at, msg, len < room ? len : room);
		last.msg[at + (len < room ? len : room)] = '\0';
	}
	return last.code ? last.code : (last.code = SGHOOK_ERROR);
}

int sghook_error_from_git(const char *what)
{
	const git_error *e = git_error_last();

	return sghook_error_set("%s: %s", what,
		e && e->message ? e->message : "libgit2 error");
}
