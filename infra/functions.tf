resource "google_storage_bucket" "bundles" {
  name                        = "${var.project_id}-nudge-function-bundles"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
}

# Each bundle: functions/<name>/* at the root, plus the nudge package beside main.py. The build
# installs the bundle's requirements.txt, which is the function's lock (`make lock`): every
# package pinned with its hashes, so pip installs exactly what was locked or fails.
data "archive_file" "bundle" {
  for_each    = local.functions
  type        = "zip"
  output_path = "${path.module}/.build/${each.key}.zip"

  dynamic "source" {
    for_each = merge(
      { for f in fileset("${local.repo_root}/functions/${each.key}", "*") :
      f => "${local.repo_root}/functions/${each.key}/${f}" if !startswith(f, "requirements") },
      { "requirements.txt" = "${local.repo_root}/functions/${each.key}/requirements.lock" },
      { for f in local.nudge_files : f => "${local.repo_root}/shared/${f}" },
    )
    content {
      filename = source.key
      content  = file(source.value)
    }
  }
}

# The object name carries the content hash: a code change uploads a new object and
# redeploys that function; an unchanged function keeps its object and is left alone.
resource "google_storage_bucket_object" "bundle" {
  for_each = local.functions
  name     = "${each.key}-${data.archive_file.bundle[each.key].output_sha256}.zip"
  bucket   = google_storage_bucket.bundles.name
  source   = data.archive_file.bundle[each.key].output_path
}

resource "google_service_account" "function" {
  for_each     = local.functions
  account_id   = "nudge-fn-${replace(each.key, "_", "-")}"
  display_name = "Nudge function ${each.key}"
}

resource "google_cloudfunctions2_function" "function" {
  for_each    = local.functions
  name        = each.key
  location    = var.region
  description = each.value.description

  build_config {
    runtime     = var.python_runtime
    entry_point = each.key
    source {
      storage_source {
        bucket = google_storage_bucket.bundles.name
        object = google_storage_bucket_object.bundle[each.key].name
      }
    }
  }

  service_config {
    available_memory      = each.value.memory
    timeout_seconds       = each.value.timeout_seconds
    max_instance_count    = each.value.max_instances
    service_account_email = google_service_account.function[each.key].email
    # Public functions take the internet's calls (they check Twilio signatures or user
    # tokens). Private ones are internal-only: Cloud Tasks and Cloud Scheduler of this project
    # still reach them; the internet does not, whatever a token says. health is the operator's
    # check from outside (IAM: project members with run.invoker, and the invoker identity).
    ingress_settings = each.value.public || contains(local.operator_functions, each.key) ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    # Only where Cloud Run's invoker IAM check stands in front may a token whose signature
    # Google stripped be trusted on its claims (nudge.queue.auth).
    environment_variables = merge(local.common_env, {
      NUDGE_CALLERS_VERIFIED_BY_PLATFORM = each.value.public ? "false" : "true"
    })

    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = local.secret_env_names[secret_environment_variables.value]
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [google_project_service.apis]
}

# Public functions may be called by anyone (they verify Twilio signatures or user tokens);
# every other function only by the invoker identity that Cloud Tasks and Scheduler use.
resource "google_cloud_run_service_iam_member" "public" {
  for_each = { for name, f in local.functions : name => f if f.public }
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = { for name, f in local.functions : name => f if !f.public }
  location = var.region
  service  = google_cloudfunctions2_function.function[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker.email}"
}
