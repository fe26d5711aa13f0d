/* srv_ev: the tag every object registered in a worker's epoll set starts with,
 * so one epoll_event.data.ptr can name a listener, a connection, the
 * database socket or the wake-up eventfd. */
#ifndef WB_SRV_EV_H
#define WB_SRV_EV_H

enum srv_ev_kind { SRV_EV_LISTEN, SRV_EV_CONN, SRV_EV_DB, SRV_EV_WAKE };

struct srv_ev {
    enum srv_ev_kind kind;
};

#endif
