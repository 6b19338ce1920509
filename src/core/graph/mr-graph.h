/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core/graph, its front door: code outside the folder includes this header only. Microsoft Graph:
 * the profile read that fills the form, corrections written back, patient lookup and the
 * extensions app. */
#pragma once

#include "mr-graph-profile.h"
#include "mr-graph-users.h"
#include "mr-patient-graph.h"
