/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The workflow sink's misbehaviours (mr-sandbox-faults.c): which fault the next POST meets, and
 * the faults themselves. For mr-sandbox-sink.c, which keeps the record of what it took in. */
#pragma once

#include <libsoup/soup.h>

#include "mr-sandbox.h"

G_BEGIN_DECLS

/* The fault the next POST meets: from the script, then at random; counted when it is one. Any
 * thread. */
MrSinkFault mr_sandbox_faults_next         (MrSandbox         *self);
/* Closes the connection without an answer. */
void        mr_sandbox_faults_refuse       (SoupServerMessage *msg);
/* Never answers (until the sandbox stops). */
void        mr_sandbox_faults_hang         (MrSandbox         *self,
                                            SoupServerMessage *msg);
/* Answers the error @fault stands for (500, 429, 403, 404): TRUE; FALSE for another fault. */
gboolean    mr_sandbox_faults_answer_error (SoupServerMessage *msg,
                                            const MrSinkFault *fault);
/* Takes the connection and writes only the start of a 200 answer before closing it. */
void        mr_sandbox_faults_cut_off      (SoupServerMessage *msg);
/* Holds the answer already set on @msg back for @ms milliseconds. */
void        mr_sandbox_faults_delay        (SoupServerMessage *msg,
                                            guint              ms);

G_END_DECLS
