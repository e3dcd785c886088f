/* The last error, per thread, as libgit2 keeps its own. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sghook.h"

static _Thread_local char last_error[512];

const char *sghook_error_last(void)
{
	return last_error[0] ? last_error : "unknown error";
}

int sghook_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return SGHOOK_ERROR;
}

int sghook_error_from_git(const char *what)
{
	const git_error *e = git_error_last();

	return sghook_error_set("%s: %s", what,
		e && e->message ? e->message : "libgit2 error");
}
