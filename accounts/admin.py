"""The user list, with each account's second factor and a superuser's reset of it (a lost
phone). django-otp's own device pages are not registered: they are in English and would show
secret keys; people manage their devices on the "两步验证" page."""

# Imported first, so that their admins are registered (whatever the order of
# INSTALLED_APPS) before this module replaces or removes them.
import django_otp.plugins.otp_static.admin  # noqa: F401
import django_otp.plugins.otp_totp.admin  # noqa: F401
import django_otp_webauthn.admin  # noqa: F401
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import services

User = get_user_model()

for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class NewsroomUserAdmin(UserAdmin):
    list_display = (*UserAdmin.list_display, "second_factor")
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        def confirmed(model):
            return Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))

        return (
            super()
            .get_queryset(request)
            .annotate(has_authenticator=confirmed(TOTPDevice), has_passkey=confirmed(WebAuthnCredential))
        )

    @admin.display(description="两步验证")
    def second_factor(self, user) -> str:
        kinds = [
            name
            for name, has in (("验证器应用", user.has_authenticator), ("通行密钥", user.has_passkey))
            if has
        ]
        return "、".join(kinds) or "未启用"

    def has_reset_second_factor_permission(self, request) -> bool:
        return request.user.is_superuser

    @admin.action(
        description="重置两步验证（删除所选用户的验证器应用、通行密钥和备用码）",
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.reset_second_factor(user)
        self.message_user(
            request,
            f"已重置 {queryset.count()} 个账号的两步验证：它们已登录的会话不再算已验证，"
            "必须启用两步验证的账号下次登录时重新绑定。",
            messages.SUCCESS,
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)
