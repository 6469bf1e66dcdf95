# Created empty; values are added out of band (README "Deploy"), never in Terraform state.
resource "google_secret_manager_secret" "secret" {
  for_each  = local.secrets
  secret_id = "nudge-${each.value}"
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}
