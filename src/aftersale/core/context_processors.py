from aftersale.core.selectors import shops_for_user


def current_shop(request):
    """The shop a back-office page is about (set by ``shop_required``) and the user's shops."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "current_shop": getattr(request, "shop", None),
        # The back-office access check has read the user's shops already on its pages.
        "user_shops": getattr(request, "user_shops", None) or shops_for_user(request.user),
    }
