/*
 * The run's deadline. It is a point on the monotonic clock, so that the
 * worker processes, which inherit it by fork(), keep the same one.
 */
#include <time.h>

#include "sghook.h"

static struct timespec deadline;  /* zero: none */
static double deadline_budget;

void sghook_deadline_set(double seconds)
{
	deadline.tv_sec = 0;
	deadline.tv_nsec = 0;
	deadline_budget = seconds;
	if (seconds <= 0 || clock_gettime(CLOCK_MONOTONIC, &deadline) < 0)
		return;
	deadline.tv_sec += (time_t)seconds;
	deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
}

int sghook_deadline_check(void)
{
	struct timespec now;

	if (!deadline.tv_sec && !deadline.tv_nsec)
		return 0;
	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0 ||
	    now.tv_sec > deadline.tv_sec ||
	    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
		return sghook_error_set_code(SGHOOK_ETIMEOUT,
			"not judged within %g s", deadline_budget);
	}
	return 0;
}
