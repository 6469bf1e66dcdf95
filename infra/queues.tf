# The identity Cloud Tasks and Cloud Scheduler put in their OIDC tokens.
resource "google_service_account" "invoker" {
  account_id   = "nudge-invoker"
  display_name = "Nudge queue and scheduler invoker"
}

resource "google_cloud_tasks_queue" "queue" {
  for_each = local.queues
  name     = each.key
  location = var.region

  rate_limits {
    max_dispatches_per_second = each.value.max_dispatches_per_second
    max_concurrent_dispatches = each.value.max_concurrent_dispatches
  }

  retry_config {
    max_attempts  = each.value.max_attempts
    min_backoff   = each.value.min_backoff
    max_backoff   = each.value.max_backoff
    max_doublings = 4
  }

  depends_on = [google_project_service.apis]
}

resource "google_cloud_scheduler_job" "job" {
  for_each    = local.cron_jobs
  name        = each.key
  region      = var.region
  description = try(each.value.description, "")
  schedule    = each.value.schedule
  time_zone   = try(each.value.time_zone, "Etc/UTC")

  http_target {
    http_method = "POST"
    uri         = "${local.function_url[each.value.function]}${try(each.value.path, "")}"
    body        = base64encode(jsonencode(try(each.value.body, {})))
    headers     = { "Content-Type" = "application/json" }
    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = local.function_url[each.value.function]
    }
  }

  depends_on = [google_project_service.apis]
}
