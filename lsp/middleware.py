from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Indonesian unless the user chose English in the menu (the language cookie).

    The browser's Accept-Language is ignored on purpose: many phones in Indonesian schools are set
    to English, and the LSP's staff expect the Indonesian forms and terms all the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
