from django.utils.translation import gettext_lazy as _


class RuleViolation(Exception):
    """A step refused by a rule of the 办法 or by the permission model.

    ``message`` is shown to the user as is; it names the article when a rule stopped the step.
    """

    def __init__(self, message, *, code: str = "rule", article: str = ""):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.article = article

    def __str__(self) -> str:
        return self.message


class ConcurrentUpdate(RuleViolation):
    def __init__(self):
        super().__init__(_("该事项已被他人处理（状态已变化），请刷新页面后重试。"), code="concurrent")
