/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTML of the sign-in and message pages: self-contained, nothing loaded from elsewhere. */
#include "mr-sandbox-page.h"

#include "mr-sandbox.h"
#include "mr-sandbox-tenant.h"

/* The request parameters the sign-in form carries from the GET to its POST. */
static const char * const carried_params[] = {
  "client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "code_challenge",
  "code_challenge_method", "response_mode", "prompt", "login_hint", NULL
};

static const char page_style[] =
  "*{box-sizing:border-box}"
  "body{margin:0;font-family:system-ui,'Cantarell','Segoe UI',sans-serif;background:#f3f2f1;"
  "color:#1b1b1b;font-size:16px}"
  ".banner{background:#b3261e;color:#fff;text-align:center;font-weight:700;letter-spacing:.3em;"
  "padding:.5em}"
  ".banner small{display:block;letter-spacing:normal;font-weight:400}"
  "main{max-width:26em;margin:2em auto;background:#fff;padding:2em;border-radius:8px;"
  "box-shadow:0 2px 6px rgba(0,0,0,.2)}"
  "h1{font-size:1.5em;margin:0 0 1em}"
  "label{display:block;margin:1em 0 .3em;font-weight:600}"
  "input[type=email],input[type=password]{width:100%;padding:.6em;font-size:1em;"
  "border:1px solid #8a8886;border-radius:4px}"
  ".actions{margin-top:1.5em;display:flex;flex-direction:row-reverse;gap:.5em}"
  "button{padding:.6em 1.4em;font-size:1em;border-radius:4px;border:1px solid #8a8886;"
  "background:#fff}"
  "button#submit{background:#0067b8;border-color:#0067b8;color:#fff}"
  ".error{color:#a4262c;background:#fde7e9;padding:.6em;border-radius:4px;margin:0 0 1em}"
  ".demo{margin-top:2em;font-size:.9em;color:#444}"
  ".demo ul{padding-left:1.2em}"
  "code{font-size:1em}";

static const char focus_script[] =
  "window.addEventListener('load',function(){"
  "var e=document.getElementById('email'),p=document.getElementById('password');"
  "if(e&&e.value&&p){p.focus();}else if(e){e.focus();}});";

static void
append_escaped (GString    *html,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (html, escaped);
}

static void
append_head (GString    *html,
             const char *title)
{
  g_string_append (html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, "
                         "initial-scale=1\">\n<title>");
  append_escaped (html, title);
  g_string_append_printf (html, " — Medication Refill sandbox</title>\n<style>%s</style>\n",
                          page_style);
  g_string_append (html, "</head>\n<body>\n<div class=\"banner\" role=\"banner\">SANDBOX"
                         "<small>Test tenant on this computer — not a real Microsoft sign-in"
                         "</small></div>\n<main>\n");
}

static void
append_tail (GString *html)
{
  g_string_append (html, "</main>\n</body>\n</html>\n");
}

static void
append_hidden_inputs (GString    *html,
                      GHashTable *params)
{
  for (guint i = 0; carried_params[i] != NULL; i++)
    {
      const char *value = g_hash_table_lookup (params, carried_params[i]);

      if (value == NULL)
        continue;
      g_string_append_printf (html, "<input type=\"hidden\" name=\"%s\" value=\"",
                              carried_params[i]);
      append_escaped (html, value);
      g_string_append (html, "\">\n");
    }
}

static void
append_demo_users (GString *html)
{
  guint n_users = 0;
  const MrSandboxUser *users = mr_sandbox_get_users (&n_users);

  g_string_append (html, "<section class=\"demo\" id=\"demo-users\">\n<p>Demo accounts, all with "
                         "the password <code>" MR_SANDBOX_PASSWORD "</code>:</p>\n<ul>\n");
  for (guint i = 0; i < n_users; i++)
    {
      g_string_append (html, "<li>");
      append_escaped (html, users[i].display_name);
      if (mr_sandbox_user_may (&users[i], "User.Read.All"))
        g_string_append (html, " (staff)");
      g_string_append (html, " — <code>");
      append_escaped (html, mr_sandbox_user_sign_in_name (&users[i]));
      g_string_append (html, "</code></li>\n");
    }
  g_string_append (html, "</ul>\n</section>\n");
}

static void
append_hidden (GString    *html,
               const char *name,
               const char *value)
{
  g_string_append_printf (html, "<input type=\"hidden\" name=\"%s\" value=\"", name);
  append_escaped (html, value);
  g_string_append (html, "\">\n");
}

static void append_credentials (GString    *html,
                                const char *email);

static void
append_form (GString    *html,
             GHashTable *params,
             const char *email)
{
  g_string_append (html, "<form method=\"post\" action=\"/" MR_SANDBOX_TENANT_ID
                         "/oauth2/v2.0/authorize\">\n");
  append_hidden_inputs (html, params);
  /* A browser's sign-in is asked "Stay signed in?" next; a client that posts the credentials
   * itself (the tests' HTTP sign-in, tools) sends no such field and goes straight back. */
  g_string_append (html, "<input type=\"hidden\" name=\"kmsi_ask\" value=\"1\">\n");
  append_credentials (html, email);
}

/* The email, password and buttons of the sign-in form, and its end. */
static void
append_credentials (GString    *html,
                    const char *email)
{
  g_string_append (html, "<label for=\"email\">Email address</label>\n"
                         "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"off\" "
                         "autocapitalize=\"off\" spellcheck=\"false\" required autofocus value=\"");
  append_escaped (html, email != NULL ? email : "");
  g_string_append (html, "\">\n<label for=\"password\">Password</label>\n"
                         "<input id=\"password\" name=\"password\" type=\"password\" "
                         "autocomplete=\"off\" required>\n"
                         /* Sign in comes first: Enter submits with a form's first button. */
                         "<div class=\"actions\">\n"
                         "<button type=\"submit\" id=\"submit\">Sign in</button>\n"
                         "<button type=\"submit\" id=\"cancel\" name=\"cancel\" value=\"1\" "
                         "formnovalidate>Cancel</button>\n"
                         "</div>\n</form>\n");
}

static void
append_error (GString    *html,
              const char *error_text)
{
  if (error_text == NULL)
    return;
  g_string_append (html, "<p class=\"error\" id=\"error\" role=\"alert\">");
  append_escaped (html, error_text);
  g_string_append (html, "</p>\n");
}

#define DEVICE_ACTION "/" MR_SANDBOX_TENANT_ID "/oauth2/deviceauth"

char *
mr_sandbox_page_device_code (const char *error_text)
{
  GString *html = g_string_new (NULL);

  append_head (html, "Enter code");
  g_string_append (html, "<h1>Enter code</h1>\n<p>Enter the code shown on the kiosk's screen to "
                         "sign in to Medication Refill.</p>\n");
  append_error (html, error_text);
  g_string_append (html, "<form method=\"post\" action=\"" DEVICE_ACTION "\">\n"
                         "<label for=\"otc\">Code</label>\n"
                         "<input id=\"otc\" name=\"otc\" type=\"text\" autocomplete=\"off\" "
                         "autocapitalize=\"characters\" spellcheck=\"false\" required "
                         "autofocus>\n<div class=\"actions\">\n"
                         "<button type=\"submit\" id=\"submit\">Next</button>\n"
                         "</div>\n</form>\n");
  append_tail (html);
  return g_string_free (html, FALSE);
}

char *
mr_sandbox_page_device_sign_in (const char *user_code,
                                const char *email,
                                const char *error_text)
{
  GString *html = g_string_new (NULL);

  append_head (html, "Sign in");
  g_string_append (html, "<h1>Sign in</h1>\n");
  append_error (html, error_text);
  g_string_append (html, "<form method=\"post\" action=\"" DEVICE_ACTION "\">\n");
  append_hidden (html, "otc", user_code);
  append_credentials (html, email);
  append_demo_users (html);
  g_string_append_printf (html, "<script>%s</script>\n", focus_script);
  append_tail (html);
  return g_string_free (html, FALSE);
}

char *
mr_sandbox_page_device_approve (const char *user_code,
                                const char *session,
                                const char *account)
{
  GString *html = g_string_new (NULL);

  append_head (html, "Are you trying to sign in?");
  g_string_append (html, "<h1>Are you trying to sign in to Medication Refill?</h1>\n<p>");
  append_escaped (html, account);
  g_string_append (html, " is signing in on another device (the kiosk). Only continue if you "
                         "started this sign-in and the code on its screen is yours.</p>\n"
                         "<form method=\"post\" action=\"" DEVICE_ACTION "\">\n");
  append_hidden (html, "otc", user_code);
  append_hidden (html, "session", session);
  g_string_append (html, "<div class=\"actions\">\n"
                         "<button type=\"submit\" id=\"submit\" name=\"approve\" value=\"1\">"
                         "Continue</button>\n"
                         "<button type=\"submit\" id=\"cancel\" name=\"decline\" value=\"1\">"
                         "Cancel</button>\n</div>\n</form>\n");
  append_tail (html);
  return g_string_free (html, FALSE);
}

/* The sign-in page for the request @params, with @email filled in and @error_text shown if set.
 * Newly allocated. */
char *
mr_sandbox_page_sign_in (GHashTable *params,
                         const char *email,
                         const char *error_text)
{
  GString *html = g_string_new (NULL);

  append_head (html, "Sign in");
  g_string_append (html, "<h1>Sign in</h1>\n");
  if (error_text != NULL)
    {
      g_string_append (html, "<p class=\"error\" id=\"error\" role=\"alert\">");
      append_escaped (html, error_text);
      g_string_append (html, "</p>\n");
    }
  append_form (html, params, email);
  append_demo_users (html);
  g_string_append_printf (html, "<script>%s</script>\n", focus_script);
  append_tail (html);
  return g_string_free (html, FALSE);
}

static void
append_form_start (GString    *html,
                   GHashTable *params)
{
  g_string_append (html, "<form method=\"post\" action=\"/" MR_SANDBOX_TENANT_ID
                         "/oauth2/v2.0/authorize\">\n");
  append_hidden_inputs (html, params);
}

/* Entra's "Stay signed in?" (KMSI) page after a password was accepted, for the request @params;
 * @flow_token names the sign-in it finishes. Newly allocated. */
char *
mr_sandbox_page_stay_signed_in (GHashTable *params,
                                const char *email,
                                const char *flow_token)
{
  GString *html = g_string_new (NULL);

  append_head (html, "Stay signed in?");
  g_string_append (html, "<p id=\"account\">");
  append_escaped (html, email);
  g_string_append (html, "</p>\n<h1>Stay signed in?</h1>\n<p>Do this to reduce the number of "
                         "times you are asked to sign in.</p>\n");
  append_form_start (html, params);
  g_string_append (html, "<input type=\"hidden\" name=\"flow_token\" value=\"");
  append_escaped (html, flow_token);
  g_string_append (html, "\">\n<div class=\"actions\">\n"
                         "<button type=\"submit\" id=\"kmsi-yes\" name=\"kmsi\" value=\"yes\">"
                         "Yes</button>\n"
                         "<button type=\"submit\" id=\"kmsi-no\" name=\"kmsi\" value=\"no\">"
                         "No</button>\n</div>\n</form>\n");
  append_tail (html);
  return g_string_free (html, FALSE);
}

/* Entra's "Pick an account" for a browser that is still signed in as @user: one tap signs in
 * again, without a password. Newly allocated. */
char *
mr_sandbox_page_pick_account (GHashTable          *params,
                              const MrSandboxUser *user)
{
  GString *html = g_string_new (NULL);

  append_head (html, "Pick an account");
  g_string_append (html, "<h1>Pick an account</h1>\n");
  append_form_start (html, params);
  g_string_append (html, "<button type=\"submit\" id=\"pick-account\" name=\"pick\" "
                         "value=\"session\">");
  append_escaped (html, user->display_name);
  g_string_append (html, " — <span id=\"picked-email\">");
  append_escaped (html, mr_sandbox_user_sign_in_name (user));
  g_string_append (html, "</span> (Signed in)</button>\n"
                         "<button type=\"submit\" id=\"other-account\" name=\"pick\" "
                         "value=\"other\">Use another account</button>\n</form>\n");
  append_tail (html);
  return g_string_free (html, FALSE);
}

/* A page with a heading and a sentence. Newly allocated. */
char *
mr_sandbox_page_message (const char *title,
                         const char *text)
{
  GString *html = g_string_new (NULL);

  append_head (html, title);
  g_string_append (html, "<h1>");
  append_escaped (html, title);
  g_string_append (html, "</h1>\n<p id=\"message\">");
  append_escaped (html, text);
  g_string_append (html, "</p>\n");
  append_tail (html);
  return g_string_free (html, FALSE);
}
