/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mr-signin-view.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "mr-identity.h"
#include "mr-base.h"

struct _MrSigninView {
  GtkWidget   parent_instance;

  WebKitWebView *web_view;
  char          *redirect_uri;
  GStrv          allowed_hosts;
  char          *pending_url;    /* loaded once the content filter is in place */
  GCancellable  *cancellable;    /* the filters' compilations, cancelled at shutdown */
  guint          filter_generation; /* of the newest compilation: older results are stale */
  char          *filter_id;      /* the compiled filter in use, in the store */
  char          *page_url;       /* the authorize URL asked for last */
  gboolean       relaunched;     /* its web process was started again once after it died */
  gboolean       done;
};

G_DEFINE_FINAL_TYPE (MrSigninView, mr_signin_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_REDIRECT,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
host_is_allowed (MrSigninView *self,
                 const char   *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *scheme, *host;

  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  host = g_uri_get_host (parsed);
  if (host == NULL)
    return g_strcmp0 (scheme, "about") == 0 && g_strcmp0 (g_uri_get_path (parsed), "blank") == 0;
  /* https everywhere; http only to this machine (the sandbox, tests). The host must also be in
   * the allowed list, which an administrator sets; "localhost" by name stays usable there. */
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      !(g_ascii_strcasecmp (scheme, "http") == 0 && mr_host_is_loopback_or_localhost (host)))
    return FALSE;
  for (guint i = 0; self->allowed_hosts && self->allowed_hosts[i]; i++)
    if (g_ascii_strcasecmp (self->allowed_hosts[i], host) == 0)
      return TRUE;
  return FALSE;
}

static void
finish_with_redirect (MrSigninView *self,
                      const char   *uri)
{
  g_autofree char *copy = g_strdup (uri);

  self->done = TRUE;
  g_signal_emit (self, signals[SIGNAL_REDIRECT], 0, copy);
}

static gboolean
decide_policy_cb (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  MrSigninView             *self)
{
  WebKitNavigationAction *action;
  const char *uri;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    {
      WebKitResponsePolicyDecision *response = WEBKIT_RESPONSE_POLICY_DECISION (decision);

      /* Anything the view cannot show would become a download: refuse it. */
      if (!webkit_response_policy_decision_is_mime_type_supported (response))
        webkit_policy_decision_ignore (decision);
      else
        webkit_policy_decision_use (decision);
      return TRUE;
    }

  action = webkit_navigation_policy_decision_get_navigation_action (
      WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

  if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    {
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }

  /* The redirect URI is never loaded: nothing listens there. Seeing it, link or 302, ends sign-in. */
  if (mr_oidc_is_redirect (self->redirect_uri, uri))
    {
      webkit_policy_decision_ignore (decision);
      if (!self->done)
        finish_with_redirect (self, uri);
      return TRUE;
    }

  if (!host_is_allowed (self, uri))
    {
      g_debug ("sign-in view refused a navigation outside the identity provider");
      webkit_policy_decision_ignore (decision);
      return TRUE;
    }

  webkit_policy_decision_use (decision);
  return TRUE;
}

static void
load_changed_cb (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 MrSigninView    *self)
{
  if (event == WEBKIT_LOAD_FINISHED)
    mr_trace_mark ("signin-page-loaded");
}

static void
load_failed_cb (WebKitWebView   *web_view,
                WebKitLoadEvent  event,
                const char      *failing_uri,
                GError          *error,
                MrSigninView    *self)
{
  if (self->done)
    return;
  /* Our own refusals end a load this way; they are not failures of the sign-in. */
  if (g_error_matches (error, WEBKIT_POLICY_ERROR,
                       WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE) ||
      g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED))
    return;
  g_debug ("sign-in page failed to load: %s", error->message);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0,
                 _("The sign-in page could not be loaded. Check the network connection and try again."));
}

static gboolean
load_failed_tls_cb (WebKitWebView       *web_view,
                    const char          *failing_uri,
                    GTlsCertificate     *certificate,
                    GTlsCertificateFlags errors,
                    MrSigninView        *self)
{
  /* Fail closed: never offer to continue past a bad certificate. */
  g_signal_emit (self, signals[SIGNAL_FAILED], 0,
                 _("The sign-in service's security certificate is not valid, so the app stopped. "
                   "Ask your administrator to check the clinic's sign-in address."));
  return TRUE;
}

static gboolean
refuse_cb (void)
{
  return TRUE;
}

static GtkWidget *
create_cb (WebKitWebView          *web_view,
           WebKitNavigationAction *action,
           MrSigninView           *self)
{
  return NULL;
}

static gboolean
permission_request_cb (WebKitWebView           *web_view,
                       WebKitPermissionRequest *request,
                       MrSigninView            *self)
{
  webkit_permission_request_deny (request);
  return TRUE;
}

/* Subresources */

/* The navigation policy sees page loads only: images, scripts, fetch(), XMLHttpRequest and
 * WebSockets do not ask it. A WebKit content blocker does see them: it blocks every load, then
 * lets through those to an allowed host (https and wss; http and ws only to a loopback address or
 * localhost, as host_is_allowed() does), and data: and blob: ones, which stay inside the page. */
static void
add_allow_rule (GString    *rules,
                const char *scheme,
                const char *host)
{
  g_autoptr(GString) escaped = g_string_new (NULL);

  for (const char *c = host; *c != '\0'; c++)
    {
      if (*c == '.')
        g_string_append (escaped, "\\\\.");
      else
        g_string_append_c (escaped, *c);
    }
  g_string_append_printf (rules, ",{\"trigger\":{\"url-filter\":\"^%s://%s[:/]\"},"
                          "\"action\":{\"type\":\"ignore-previous-rules\"}}",
                          scheme, escaped->str);
}

/* Hosts go into a regular expression (WebKit's subset: no alternatives, so one rule each, and the
 * host ends at a port or a path): only names and IPv4 addresses, nothing to escape but dots (an
 * IPv6 literal is left out, so blocked). */
static gboolean
host_fits_rule (const char *host)
{
  for (const char *c = host; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '.' && *c != '-')
      return FALSE;
  return *host != '\0';
}

static GBytes *
build_filter_rules (MrSigninView *self)
{
  GString *rules = g_string_new ("[{\"trigger\":{\"url-filter\":\".*\"},"
                                 "\"action\":{\"type\":\"block\"}},"
                                 "{\"trigger\":{\"url-filter\":\"^data:\"},"
                                 "\"action\":{\"type\":\"ignore-previous-rules\"}},"
                                 "{\"trigger\":{\"url-filter\":\"^blob:\"},"
                                 "\"action\":{\"type\":\"ignore-previous-rules\"}}");

  for (guint i = 0; self->allowed_hosts && self->allowed_hosts[i]; i++)
    {
      const char *host = self->allowed_hosts[i];

      if (!host_fits_rule (host))
        continue;
      add_allow_rule (rules, "https", host);
      add_allow_rule (rules, "wss", host);
      if (mr_host_is_loopback_or_localhost (host))
        {
          add_allow_rule (rules, "http", host);
          add_allow_rule (rules, "ws", host);
        }
    }
  g_string_append_c (rules, ']');
  return g_string_free_to_bytes (rules);
}

/* Each helper process has its own store, in the cache folder. */
static WebKitUserContentFilterStore *
filter_store (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "medrefill",
                                            "signin-filters", NULL);

  return webkit_user_content_filter_store_new (path);
}

static void
filter_removed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!webkit_user_content_filter_store_remove_finish (WEBKIT_USER_CONTENT_FILTER_STORE (source),
                                                       result, &error))
    g_debug ("sign-in view: an old content filter was not removed: %s", error->message);
}

static void
filter_remove (const char *id)
{
  g_autoptr(WebKitUserContentFilterStore) store = filter_store ();

  webkit_user_content_filter_store_remove (store, id, NULL, filter_removed_cb, NULL);
}

typedef struct {
  MrSigninView *self;
  guint         generation;
  char         *id;
} FilterSave;

static void
filter_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FilterSave *save = user_data;
  g_autoptr(MrSigninView) self = save->self;
  g_autofree char *id = save->id;
  g_autoptr(GError) error = NULL;
  g_autoptr(WebKitUserContentFilter) filter = NULL;
  g_autofree char *url = NULL;
  WebKitUserContentManager *manager;
  guint generation = save->generation;

  g_free (save);
  g_debug ("sign-in view: content filter %s compiled (generation %u of %u)", id, generation,
           self->filter_generation);
  filter = webkit_user_content_filter_store_save_finish (WEBKIT_USER_CONTENT_FILTER_STORE (source),
                                                         result, &error);
  /* A newer compilation (new hosts) supersedes this one; it is not applied, only removed. */
  if (generation != self->filter_generation || self->web_view == NULL
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (filter != NULL)
        filter_remove (id);
      return;
    }
  url = g_steal_pointer (&self->pending_url);
  if (filter == NULL)
    {
      /* Fail closed: without the filter the page is not shown. */
      g_warning ("sign-in view: the content filter did not compile: %s", error->message);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0,
                     _("The sign-in page could not be loaded. Check the network connection and "
                       "try again."));
      return;
    }
  manager = webkit_web_view_get_user_content_manager (self->web_view);
  webkit_user_content_manager_remove_all_filters (manager);
  webkit_user_content_manager_add_filter (manager, filter);
  if (self->filter_id != NULL)
    filter_remove (self->filter_id);
  g_free (self->filter_id);
  self->filter_id = g_steal_pointer (&id);
  if (url != NULL)
    webkit_web_view_load_uri (self->web_view, url);
}

/* Compiles the rules for the hosts allowed now, then loads @url. Every compilation has an id of
 * its own and a newer one supersedes an older one still under way, which is left to finish:
 * cancelling a save in the store and saving again under the same id could leave neither
 * callback called (seen as a sign-in page that never loaded, in ui-lockdown). */
static void
load_with_filter (MrSigninView *self,
                  const char   *url)
{
  g_autoptr(WebKitUserContentFilterStore) store = filter_store ();
  g_autoptr(GBytes) rules = build_filter_rules (self);
  FilterSave *save = g_new0 (FilterSave, 1);
  /* Unique in the process, not only in this view: a view going away removes its own filter from
   * the store while the next view's compilation may be under way. */
  static guint serial;

  save->self = g_object_ref (self);
  save->generation = ++self->filter_generation;
  save->id = g_strdup_printf ("signin-%d-%u", (int) getpid (), ++serial);
  g_free (self->pending_url);
  self->pending_url = g_strdup (url);
  webkit_user_content_filter_store_save (store, save->id, rules, self->cancellable,
                                         filter_saved_cb, save);
}

/* A web process that dies (seen on a loaded machine, where it can end while it starts: the page
 * then never loads, and the window waits forever) is started again once on the same page; a
 * second death is a failure the person is told about. The page is the same attempt for the same
 * person: nothing crosses to anyone else. */
static void
web_process_terminated_cb (WebKitWebView                     *web_view,
                           WebKitWebProcessTerminationReason  reason,
                           MrSigninView                      *self)
{
  g_debug ("sign-in view: the web process ended (reason %d)", (int) reason);
  if (self->done || reason == WEBKIT_WEB_PROCESS_TERMINATED_BY_API)
    return;
  if (!self->relaunched)
    {
      self->relaunched = TRUE;
      /* With a filter still compiling, its callback loads the page. */
      if (self->pending_url == NULL)
        webkit_web_view_load_uri (web_view, self->page_url != NULL ? self->page_url : "about:blank");
      return;
    }
  g_signal_emit (self, signals[SIGNAL_FAILED], 0,
                 _("The sign-in page could not be loaded. Check the network connection and try again."));
}

/* <a download> asks no policy question that says so: a download WebKit starts is cancelled. */
static void
download_started_cb (WebKitNetworkSession *session,
                     WebKitDownload       *download,
                     MrSigninView         *self)
{
  g_debug ("sign-in view refused a download");
  webkit_download_cancel (download);
}

static void
build_web_view (MrSigninView *self)
{
  g_autoptr(WebKitNetworkSession) session = webkit_network_session_new_ephemeral ();
  g_autoptr(WebKitWebContext) context = webkit_web_context_new ();
  WebKitSettings *settings;

  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "network-session", session,
                                 "web-context", context,
                                 NULL);
  settings = webkit_web_view_get_settings (self->web_view);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  webkit_settings_set_enable_back_forward_navigation_gestures (settings, FALSE);

  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (decide_policy_cb), self);
  g_signal_connect (self->web_view, "load-failed", G_CALLBACK (load_failed_cb), self);
  g_signal_connect (self->web_view, "load-changed", G_CALLBACK (load_changed_cb), self);
  g_signal_connect (self->web_view, "load-failed-with-tls-errors",
                    G_CALLBACK (load_failed_tls_cb), self);
  g_signal_connect (self->web_view, "create", G_CALLBACK (create_cb), self);
  g_signal_connect (self->web_view, "context-menu", G_CALLBACK (refuse_cb), NULL);
  g_signal_connect (self->web_view, "run-file-chooser", G_CALLBACK (refuse_cb), NULL);
  /* window.print () would bring GTK's print dialog, and with it a file chooser ("Print to
   * File"): a way out of a kiosk. */
  g_signal_connect (self->web_view, "print", G_CALLBACK (refuse_cb), NULL);
  g_signal_connect (self->web_view, "permission-request", G_CALLBACK (permission_request_cb), self);
  g_signal_connect (self->web_view, "web-process-terminated",
                    G_CALLBACK (web_process_terminated_cb), self);
  g_signal_connect (session, "download-started", G_CALLBACK (download_started_cb), self);

  gtk_widget_set_hexpand (GTK_WIDGET (self->web_view), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->web_view), TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->web_view), GTK_WIDGET (self));
}

void
mr_signin_view_shutdown (MrSigninView *self)
{
  g_return_if_fail (MR_IS_SIGNIN_VIEW (self));

  if (self->web_view == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_signal_handlers_disconnect_by_data (webkit_web_view_get_network_session (self->web_view),
                                        self);
  g_signal_handlers_disconnect_by_data (self->web_view, self);
  webkit_web_view_terminate_web_process (self->web_view);
  gtk_widget_unparent (GTK_WIDGET (self->web_view));
  self->web_view = NULL;
}

static void
mr_signin_view_dispose (GObject *object)
{
  MrSigninView *self = MR_SIGNIN_VIEW (object);

  mr_signin_view_shutdown (self);
  G_OBJECT_CLASS (mr_signin_view_parent_class)->dispose (object);
}

static void
mr_signin_view_finalize (GObject *object)
{
  MrSigninView *self = MR_SIGNIN_VIEW (object);

  g_free (self->redirect_uri);
  g_free (self->pending_url);
  g_free (self->page_url);
  if (self->filter_id != NULL)
    filter_remove (self->filter_id);
  g_free (self->filter_id);
  g_clear_object (&self->cancellable);
  g_strfreev (self->allowed_hosts);
  G_OBJECT_CLASS (mr_signin_view_parent_class)->finalize (object);
}

static void
mr_signin_view_class_init (MrSigninViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_signin_view_dispose;
  object_class->finalize = mr_signin_view_finalize;

  /* ::redirect (uri): the provider sent the browser to the redirect URI. */
  signals[SIGNAL_REDIRECT] = g_signal_new ("redirect", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_STRING);
  /* ::failed (message): a sentence for the user. */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mr_signin_view_init (MrSigninView *self)
{
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
mr_signin_view_new (const char         *redirect_uri,
                    const char * const *allowed_hosts)
{
  MrSigninView *self;

  g_return_val_if_fail (redirect_uri != NULL, NULL);

  self = g_object_new (MR_TYPE_SIGNIN_VIEW, NULL);
  self->redirect_uri = g_strdup (redirect_uri);
  self->allowed_hosts = g_strdupv ((char **) allowed_hosts);
  build_web_view (self);
  /* Starts the web and network processes now, while nobody waits for them. */
  webkit_web_view_load_uri (self->web_view, "about:blank");
  return GTK_WIDGET (self);
}

void
mr_signin_view_allow_hosts (MrSigninView       *self,
                            const char * const *hosts)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (MR_IS_SIGNIN_VIEW (self));

  if (self->allowed_hosts != NULL)
    g_strv_builder_addv (builder, (const char **) self->allowed_hosts);
  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    if (*hosts[i] != '\0')
      g_strv_builder_add (builder, hosts[i]);
  g_strfreev (self->allowed_hosts);
  self->allowed_hosts = g_strv_builder_end (builder);
}

void
mr_signin_view_load (MrSigninView *self,
                     const char   *authorize_url)
{
  g_autoptr(GUri) uri = NULL;

  g_return_if_fail (MR_IS_SIGNIN_VIEW (self));
  g_return_if_fail (self->web_view != NULL);

  /* The authorize endpoint's own host is always one of the provider's. */
  uri = g_uri_parse (authorize_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    {
      const char *host[] = { g_uri_get_host (uri), NULL };

      mr_signin_view_allow_hosts (self, host);
    }
  self->done = FALSE;
  g_free (self->page_url);
  self->page_url = g_strdup (authorize_url);
  load_with_filter (self, authorize_url);
}

WebKitWebView *
mr_signin_view_get_web_view (MrSigninView *self)
{
  g_return_val_if_fail (MR_IS_SIGNIN_VIEW (self), NULL);

  return self->web_view;
}
