/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/base, its front door: code outside the folder includes this header only. Small helpers
 * (text, JSON, URLs), wiping secrets and hardening the process, the keyring, the 127.0.0.1 server
 * and trace marks. */
#pragma once

#include "mr-util.h"
#include "mr-secrets.h"
#include "mr-secure.h"
#include "mr-local-server.h"
#include "mr-trace.h"
