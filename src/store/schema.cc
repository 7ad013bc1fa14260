// Portable SQL (SQLite and PostgreSQL): TEXT, BIGINT, INTEGER; no AUTOINCREMENT or SERIAL, ids are
// assigned by the store inside the inserting transaction. Conventions: `*_at` columns are unix
// time in microseconds, `*_us` columns are durations or offsets in microseconds.
#include "store/schema.h"

#include <vector>

namespace novacron::store {

std::span<const Migration> StoreMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "boot_records", R"sql(
CREATE TABLE boots (
  id BIGINT PRIMARY KEY,
  node_id TEXT NOT NULL,
  pid BIGINT NOT NULL,
  version TEXT NOT NULL,
  strategy TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  state TEXT NOT NULL,
  total_duration_us BIGINT,
  error TEXT NOT NULL,
  shutdown_at BIGINT,
  clean_shutdown INTEGER -- 0 or 1; NULL until a shutdown is recorded
);
CREATE INDEX boots_node_state ON boots (node_id, state);
CREATE TABLE boot_components (
  boot_id BIGINT NOT NULL REFERENCES boots (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL, -- order of first record within the boot
  phase TEXT NOT NULL,
  criticality TEXT NOT NULL,
  dependencies TEXT NOT NULL, -- JSON array of component names
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  start_offset_us BIGINT,
  end_offset_us BIGINT,
  error TEXT NOT NULL,
  PRIMARY KEY (boot_id, name)
);
CREATE TABLE boot_checkpoints (
  boot_id BIGINT NOT NULL REFERENCES boots (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  offset_us BIGINT NOT NULL,
  PRIMARY KEY (boot_id, name)
);
)sql"},
      {2, "vm_records", R"sql(
CREATE TABLE vms (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL UNIQUE, -- creation order, for keyset pagination
  name TEXT NOT NULL UNIQUE,
  spec TEXT NOT NULL, -- canonical JSON of the spec
  state TEXT NOT NULL,
  drift TEXT NOT NULL,
  last_error TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX vms_state ON vms (state, seq);
CREATE TABLE vm_labels (
  vm_id TEXT NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (vm_id, key)
);
CREATE INDEX vm_labels_key_value ON vm_labels (key, value);
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
-- The last seq handed out. A counter rather than MAX(seq) + 1 so that a seq is never reused
-- after the newest VM is deleted (a cursor past it would skip the next VM), and so that
-- concurrent creators serialize on this row instead of colliding on vms.seq.
CREATE TABLE vm_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq BIGINT NOT NULL
);
INSERT INTO vm_seq (id, last_seq) VALUES (1, 0);
)sql"},
      {3, "api_tokens", R"sql(
-- API bearer tokens: only the SHA-256 of the secret is kept (docs/security.md).
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT, -- NULL: never
  revoked_at BIGINT -- NULL: live
);
)sql"},
      {4, "vm_owner", R"sql(
-- Cluster mode: the node id that runs the VM; '' when unplaced (and always in standalone mode).
ALTER TABLE vms ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql"},
  };
  return kMigrations;
}

}  // namespace novacron::store
