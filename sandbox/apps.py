from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """A simulation walked again and again: sandbox tenants that can be reset, sandbox
    customers made on demand, and a sandbox code's clock moved to its edge."""

    name = "sandbox"
    verbose_name = "サンドボックス"
