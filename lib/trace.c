/*
 * What the engine chose and why (which walk, which way of judging), for
 * the tests that check a choice and for tuning; the CLI turns it on.
 */
#include <stdarg.h>
#include <stdio.h>

#include "sghook.h"

static sghook_trace_cb trace_cb;
static void *trace_payload;

void sghook_trace_set(sghook_trace_cb cb, void *payload)
{
	trace_cb = cb;
	trace_payload = payload;
}

void sghook_trace(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!trace_cb)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trace_cb(msg, trace_payload);
}
