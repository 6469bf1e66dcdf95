resource "google_firestore_database" "default" {
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"
  depends_on  = [google_project_service.apis]
}

# Memory recall: nearest neighbours among one user's active memories.
resource "google_firestore_index" "memories_vector" {
  database   = google_firestore_database.default.name
  collection = "memories"

  fields {
    field_path = "active"
    order      = "ASCENDING"
  }
  fields {
    field_path = "embedding"
    vector_config {
      dimension = var.embedding_dimension
      flat {}
    }
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# Recall including history (no longer true, archived): for questions about the past and for
# "forget", which must reach every stored memory.
resource "google_firestore_index" "memories_vector_history" {
  database   = google_firestore_database.default.name
  collection = "memories"

  fields {
    field_path = "embedding"
    vector_config {
      dimension = var.embedding_dimension
      flat {}
    }
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# The per-user term index of memories (nudge/store/memory_terms.py): shard documents read by
# id only, a map of one short string a memory. Indexing every entry would cost two index
# entries a memory and slow each write, for no query.
resource "google_firestore_field" "memory_terms_entries" {
  database   = google_firestore_database.default.name
  collection = "memory_terms"
  field      = "entries"
  index_config {}
}

# The per-user vector shards of memories (nudge/store/vector_shards.py): read by id only, a
# map of one float16 vector (bytes) a memory.
resource "google_firestore_field" "memory_vectors_vectors" {
  database   = google_firestore_database.default.name
  collection = "memory_vectors"
  field      = "vectors"
  index_config {}
}

# Unanswered inbound messages of a user, oldest first.
resource "google_firestore_index" "messages_unanswered" {
  database   = google_firestore_database.default.name
  collection = "messages"

  fields {
    field_path = "direction"
    order      = "ASCENDING"
  }
  fields {
    field_path = "answered_by_turn"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "ASCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# The unanswered-text sweep: inbound texts of any user still unsettled, oldest first.
resource "google_firestore_index" "messages_unsettled" {
  database    = google_firestore_database.default.name
  collection  = "messages"
  query_scope = "COLLECTION_GROUP"

  fields {
    field_path = "settled"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "ASCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# TTL: dedup markers, idempotency records, expired raw messages, sign-in links, sessions and
# rate-limit windows delete themselves.
resource "google_firestore_field" "ttl" {
  for_each = {
    dedup_markers       = "expire_at"
    idempotency_records = "expire_at"
    messages            = "expire_at"
    oauth_links         = "expire_at"
    oauth_flows         = "expire_at"
    api_login_links     = "expire_at"
    api_sessions        = "expire_at"
    api_rate_limits     = "expire_at"
  }
  database   = google_firestore_database.default.name
  collection = each.key
  field      = each.value
  ttl_config {}
  index_config {}
}

# Reminder sweeps across users: overdue occurrences, and those waiting for the task horizon.
resource "google_firestore_index" "occurrences_overdue" {
  database    = google_firestore_database.default.name
  collection  = "reminder_occurrences"
  query_scope = "COLLECTION_GROUP"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "due_at"
    order      = "ASCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

resource "google_firestore_index" "occurrences_horizon" {
  database    = google_firestore_database.default.name
  collection  = "reminder_occurrences"
  query_scope = "COLLECTION_GROUP"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "enqueued"
    order      = "ASCENDING"
  }
  fields {
    field_path = "due_at"
    order      = "ASCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# Follow-ups whose task was lost (the reminder catch-up sends them late, once).
resource "google_firestore_index" "occurrences_follow_ups_due" {
  database    = google_firestore_database.default.name
  collection  = "reminder_occurrences"
  query_scope = "COLLECTION_GROUP"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "follow_up_due_at"
    order      = "ASCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# A user's missed reminders not yet mentioned, oldest first.
resource "google_firestore_index" "occurrences_unmentioned_missed" {
  database   = google_firestore_database.default.name
  collection = "reminder_occurrences"

  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "mentioned"
    order      = "ASCENDING"
  }
  fields {
    field_path = "due_at"
    order      = "ASCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# The lexical recall path: a user's active memories sharing a keyword.
resource "google_firestore_index" "memories_keywords" {
  database   = google_firestore_database.default.name
  collection = "memories"

  fields {
    field_path = "active"
    order      = "ASCENDING"
  }
  fields {
    field_path   = "keywords"
    array_config = "CONTAINS"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}
