output "webhook_url" {
  description = "Paste this into the Twilio number's 'A message comes in' webhook (HTTP POST)."
  value       = google_cloudfunctions2_function.function["sms_webhook"].url
}

output "api_url" {
  description = "The api function: REST under /v1 (OpenAPI at /v1/openapi.json)."
  value       = google_cloudfunctions2_function.function["api"].url
}

output "page_url" {
  description = "The person's page (sign in by texting \"login\"): the api function's root."
  value       = "${google_cloudfunctions2_function.function["api"].url}/"
}

output "oauth_redirect_url" {
  description = "Microsoft account linking redirect (arrives with the oauth function)."
  value       = try("${google_cloudfunctions2_function.function["oauth"].url}/callback", null)
}

output "function_urls" {
  description = "URL of every deployed function."
  value       = { for name, fn in google_cloudfunctions2_function.function : name => fn.url }
}

output "invoker_service_account" {
  description = "Identity in the OIDC tokens of queue and scheduler calls."
  value       = google_service_account.invoker.email
}

output "notion_redirect_url" {
  description = "Notion public integration redirect URI (register it under the integration's OAuth settings)."
  value       = try("${google_cloudfunctions2_function.function["oauth"].url}/notion/callback", null)
}
