app_name = "gate"
urlpatterns: list = []
