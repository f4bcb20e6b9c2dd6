/* nsinit's own options on the kernel command line (nsinit.*). */
#ifndef NSINIT_CMDLINE_H
#define NSINIT_CMDLINE_H
#include <stdbool.h>

/* Is word one of /proc/cmdline's words (before any "--")? */
bool cmdline_has(const char *word);

#endif
