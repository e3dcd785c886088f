/* One way to grow an array: overflow-checked, capacity set last. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "sghook.h"

int sghook_array_grow(void *itemsp, size_t *alloc, size_t need, size_t size)
{
	size_t cap = *alloc ? *alloc : 8;
	void *items, *grown;

	if (need <= *alloc)
		return 0;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return sghook_error_set("out of memory: an array of "
				"%zu items", need);
		cap *= 2;
	}
	if (size && cap > SIZE_MAX / size)
		return sghook_error_set("out of memory: an array of %zu items "
			"of %zu bytes", need, size);
	memcpy(&items, itemsp, sizeof(items));
	if (!(grown = realloc(items, cap * size)))
		return sghook_error_set("out of memory: an array of %zu items "
			"of %zu bytes", need, size);
	memcpy(itemsp, &grown, sizeof(grown));
	*alloc = cap;
	return 0;
}
