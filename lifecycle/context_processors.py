from .policy import get_policy


def policy(request):
    """``{{ policy.joint_review_working_days }}`` etc. in templates: pages quote the numbers of
    the policy in force instead of writing them (办法第四十条)."""
    return {"policy": get_policy()}
