resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

resource "google_project_iam_member" "enqueuer" {
  for_each = { for name, f in local.functions : name => f if f.enqueues }
  project  = var.project_id
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Enqueuing functions mint OIDC tokens as the invoker identity.
resource "google_service_account_iam_member" "act_as_invoker" {
  for_each           = { for name, f in local.functions : name => f if f.enqueues }
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
