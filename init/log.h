/* nsinit's own messages: one line each, "nsinit: ...", on stderr (the
 * console in boot mode), written with a single write(2). */
#ifndef NSINIT_LOG_H
#define NSINIT_LOG_H

extern int log_verbose;

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
