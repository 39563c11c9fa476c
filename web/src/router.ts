import { createRouter, createWebHistory, type Router } from "vue-router";

export function createCatalogueRouter(): Router {
  return createRouter({
    history: createWebHistory(),
    routes: [
      { path: "/", name: "home", component: () => import("./pages/HomePage.vue"), meta: { title: "Your organizations" } },
      { path: "/folders/:id", name: "folder", component: () => import("./pages/FolderPage.vue"), meta: { title: "Folder" } },
      { path: "/files/:id", name: "file", component: () => import("./pages/FilePage.vue"), meta: { title: "File" } },
      { path: "/search", name: "search", component: () => import("./pages/SearchPage.vue"), meta: { title: "Search" } },
      { path: "/shared", name: "shared", component: () => import("./pages/SharedPage.vue"), meta: { title: "Shared with me" } },
      { path: "/copernicus", name: "copernicus", component: () => import("./pages/CopernicusPage.vue"), meta: { title: "Copernicus" } },
      { path: "/trash", name: "trash", component: () => import("./pages/TrashPage.vue"), meta: { title: "Trash" } },
      { path: "/:rest(.*)*", name: "missing", component: () => import("./pages/MissingPage.vue"), meta: { title: "Not found" } },
    ],
  });
}
