/* sghook --doctor. */
#ifndef SGHOOK_DOCTOR_H
#define SGHOOK_DOCTOR_H

#include "cli.h"

/* Says what a hook here would use; EXIT_FOUND when a problem stands. */
int doctor_run(const options *o);

#endif
