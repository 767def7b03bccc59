from django.urls import path

from .views import notifications as views

urlpatterns = [
    path("notifikasi/", views.NotificationList.as_view(), name="notification_list"),
    path("notifikasi/<int:pk>/", views.notification_open, name="notification_open"),
    path(
        "notifikasi/baca-semua/",
        views.notification_mark_all_read,
        name="notification_mark_all_read",
    ),
    path("notifikasi/jumlah/", views.notification_badge, name="notification_badge"),
]
