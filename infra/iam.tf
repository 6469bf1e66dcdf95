# Firestore has no per-database IAM resource: the role is granted on the project, and an IAM
# condition on the database's resource name limits it to Nudge's database (another database
# in the project stays out of reach). Finer grants (per collection or per user) do not exist
# in IAM; every function can read and write the whole Nudge database.
resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"

  condition {
    title       = "nudge-database-only"
    description = "Only the Nudge Firestore database"
    expression  = "resource.name == \"${google_firestore_database.default.id}\""
  }
}

# Each function may enqueue only onto the queues it uses (`enqueues` in functions.json; a test
# checks that list against the code's enqueue calls).
resource "google_cloud_tasks_queue_iam_member" "enqueuer" {
  for_each = merge([
    for name, f in local.functions : {
      for queue in f.enqueues : "${name}/${queue}" => { function = name, queue = queue }
    }
  ]...)
  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.queue[each.value.queue].name
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# health reads the agent-turns queue (GetQueue) to report whether Cloud Tasks answers.
resource "google_cloud_tasks_queue_iam_member" "health_viewer" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.queue["agent-turns"].name
  role     = "roles/cloudtasks.viewer"
  member   = "serviceAccount:${google_service_account.function["health"].email}"
}

# Enqueuing functions mint OIDC tokens as the invoker identity.
resource "google_service_account_iam_member" "act_as_invoker" {
  for_each           = { for name, f in local.functions : name => f if length(f.enqueues) > 0 }
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.function[each.key].email}"
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = merge([
    for name, f in local.functions : {
      for secret in f.secrets : "${name}/${secret}" => { function = name, secret = secret }
    }
  ]...)
  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.value.function].email}"
}
