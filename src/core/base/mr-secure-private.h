/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* For tests only: the function mr_secure_free_string() frees with (g_free when @free_func is
 * NULL), so that a test can see the buffer's bytes just before they are released. */
void _mr_secure_set_free_func (GDestroyNotify free_func);

G_END_DECLS
