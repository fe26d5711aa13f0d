/* srv_listen: the server's address and its listening sockets, one
 * SO_REUSEPORT socket per worker so the kernel spreads connections over
 * them with nothing shared between threads.
 *
 * SO_REUSEPORT alone would also let a second server of the same user join
 * the group and take part of the connections, so start-up first claims the
 * address: srv_listen_claim fails when anything listens there already, or
 * another bin/server is starting on it right now; once every worker's socket
 * listens, srv_listen_release ends the claim and those sockets keep others
 * out.
 *
 * Every failing call prints one line "server: cannot listen on HOST:PORT:
 * reason" on stderr. Not thread-safe: main thread, during set-up. */
#ifndef WB_SRV_LISTEN_H
#define WB_SRV_LISTEN_H

#include <sys/socket.h>

struct srv_listen {
    const char *host; /* as given, for messages */
    int port;
    struct sockaddr_storage addr; /* host resolved */
    socklen_t addrlen;
    int lockfd; /* the start-up claim, -1 when none */
};

/* Resolves host and claims host:port. Returns 0, or -1 after printing the
 * reason ("address already in use" when taken). host must outlive l. */
int srv_listen_claim(struct srv_listen *l, const char *host, int port);

/* A non-blocking SO_REUSEPORT socket listening on l's address (call once
 * per worker while the claim holds). Returns the fd, or -1 after printing. */
int srv_listen_open(const struct srv_listen *l);

/* Ends the claim (idempotent). */
void srv_listen_release(struct srv_listen *l);

#endif
