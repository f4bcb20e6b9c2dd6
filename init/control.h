/* The control socket in PID 1: a Unix stream socket, one request line per
 * connection ("VERB [NAME]\n"), answered with output lines and a last line
 * "OK" or "ERR reason", then closed. See nsinit.conf(5), CONTROL. */
#ifndef NSINIT_CONTROL_H
#define NSINIT_CONTROL_H
#include <stdbool.h>

#define CONTROL_DEFAULT_SOCKET "/run/nsinit.sock"
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_REQUEST_MAX 1024
#define CONTROL_LOG_LINE_MAX 2200 /* a log line as ctl log prints it */
#define CONTROL_IDLE_MS 5000 /* a client that neither asks nor reads is dropped */

/* Listens on path. A failure that may pass (ENOSPC, EMFILE, ENOMEM, another
 * server on the path...) is tried again after 1 s, 2 s, ... up to a minute;
 * report says whether those tries may log (not in the pause role). */
int control_start(const char *path, bool report);
/* After a failed control_start or control_move: "WHATcontrol socket PATH:
 * reason", and "; trying again" when it will be. */
void control_log_failure(const char *what, const char *path);
void control_stop(void);
/* Listens on path instead (reload); on failure it says so and the old
 * socket stays. With none listening yet, it tries path now. */
int control_move(const char *path);

#endif
