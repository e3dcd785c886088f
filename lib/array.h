/*
 * Growable arrays, after libgit2's git_array: a pointer, a count the
 * caller keeps, and a capacity that changes only once realloc() has
 * succeeded, so that a failed growth leaves the array as it was.
 */
#ifndef SGHOOK_ARRAY_H
#define SGHOOK_ARRAY_H

#include <stddef.h>

/*
 * Makes *itemsp (the address of an array pointer) hold at least `need`
 * items of `size` bytes: the capacity doubles from 8 until it does.
 * Returns 0, or SGHOOK_ERROR with a message when the size overflows or
 * memory runs out; *itemsp and *alloc are then unchanged.
 */
int sghook_array_grow(void *itemsp, size_t *alloc, size_t need, size_t size);

/* SGHOOK_ARRAY_GROW(a.items, a.alloc, a.count + 1) */
#define SGHOOK_ARRAY_GROW(items, alloc, need) \
	sghook_array_grow(&(items), &(alloc), (need), sizeof(*(items)))

#endif
