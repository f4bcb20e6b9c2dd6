/* The control socket in PID 1: a Unix stream socket, one request line per
 * connection ("VERB [NAME]\n"), answered with output lines and a last line
 * "OK" or "ERR reason", then closed. See nsinit.conf(5), CONTROL. */
#ifndef NSINIT_CONTROL_H
#define NSINIT_CONTROL_H

#define CONTROL_DEFAULT_SOCKET "/run/nsinit.sock"
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_REQUEST_MAX 1024
#define CONTROL_LOG_LINE_MAX 2200 /* a log line as ctl log prints it */
#define CONTROL_IDLE_MS 5000 /* a client that neither asks nor reads is dropped */

int control_start(const char *path);
void control_stop(void);
/* Listens on path instead (reload); on failure it says so and the old
 * socket stays. */
int control_move(const char *path);

#endif
