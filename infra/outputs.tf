output "function_urls" {
  description = "URL of every deployed function."
  value       = { for name, fn in google_cloudfunctions2_function.function : name => fn.url }
}

output "invoker_service_account" {
  description = "Identity in the OIDC tokens of queue and scheduler calls."
  value       = google_service_account.invoker.email
}
