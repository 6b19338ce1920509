/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/delivery, its front door: code outside the folder includes this header only. Getting a
 * request to the workflow: the POST, the encrypted outbox and its retries. */
#pragma once

#include "mr-delivery-post.h"
#include "mr-outbox.h"
#include "mr-outbox-record.h"
#include "mr-retry.h"
