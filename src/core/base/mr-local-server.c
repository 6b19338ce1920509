/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-local-server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

/* One request per connection. libsoup 3.2 (Debian 12) never closes its end of a kept-alive
 * connection that the client closes while it is idle (fixed in 3.3): each one stays in
 * CLOSE_WAIT holding a file descriptor — four per sign-in from the web view against the
 * sandbox, so a sandbox kiosk would run out of descriptors after a few hundred visits. */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  SoupServer *server = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  if (local == NULL || remote == NULL)
    return TRUE;  /* gone already: it closes with its last reference */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY,
                       TRUE, NULL);
  if (!soup_server_accept_iostream (server, G_IO_STREAM (connection), local, remote, &error))
    g_message ("A connection on 127.0.0.1 could not be taken: %s", error->message);
  return TRUE;
}

GSocketService *
mr_local_server_listen (SoupServer  *server,
                        guint        port,
                        guint       *bound_port,
                        GError     **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketService) service = NULL;

  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);
  g_return_val_if_fail (port <= G_MAXUINT16, NULL);
  g_return_val_if_fail (bound_port != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  address = g_inet_socket_address_new (loopback, (guint16) port);
  service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
    return NULL;
  /* The server outlives the service: mr_local_server_stop() stops this first. */
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), server);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), NULL);
  g_socket_service_start (service);
  *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&service);
}

void
mr_local_server_stop (GSocketService *service,
                      SoupServer     *server)
{
  g_return_if_fail (service == NULL || G_IS_SOCKET_SERVICE (service));
  g_return_if_fail (SOUP_IS_SERVER (server));

  if (service != NULL)
    {
      g_signal_handlers_disconnect_by_func (service, incoming_cb, server);
      g_socket_service_stop (service);
      g_socket_listener_close (G_SOCKET_LISTENER (service));
      g_object_unref (service);
    }
  g_signal_handlers_disconnect_by_func (server, request_started_cb, NULL);
  soup_server_disconnect (server);
}
