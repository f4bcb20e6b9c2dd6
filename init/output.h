/* Service output: each service's stdout and stderr go into one pipe that
 * PID 1 reads in its loop and writes out line by line, prefixed with the
 * service's name. */
#ifndef NSINIT_OUTPUT_H
#define NSINIT_OUTPUT_H

struct service;

/* Creates the pipe once (it outlives restarts) and watches its read end. */
int output_open(struct service *s);
/* Reads what is there now and writes the finished lines. */
void output_drain(struct service *s);
/* Writes a partial last line too (the service has exited). */
void output_flush(struct service *s);
void output_close(struct service *s);

#endif
