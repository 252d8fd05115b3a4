app_name = "errands"
urlpatterns: list = []
