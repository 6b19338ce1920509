/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/identity, its front door: code outside the folder includes this header only. Signing in:
 * discovery, PKCE, the authorize URL and its callback, the token endpoint, ID-token checks (JWT,
 * JWKS), AADSTS errors in words, the loopback listener and the staff session. */
#pragma once

#include "mr-oidc.h"
#include "mr-jwt.h"
#include "mr-aadsts.h"
#include "mr-claims.h"
#include "mr-loopback.h"
#include "mr-staff-session.h"
