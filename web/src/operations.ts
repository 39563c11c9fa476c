// Every operation the catalogue sends; graphql-codegen types them from ../schema.graphql.
import { graphql } from "./gql";

export const ME = graphql(`
  query Me {
    me {
      id
      name
      email
      organizations {
        id
        name
        slug
        role
        usageBytes
        quotaBytes
        rootFolder {
          id
          name
        }
      }
    }
  }
`);

export const FOLDER_PAGE = graphql(`
  query FolderPage(
    $id: ID!
    $first: Int!
    $after: String
    $foldersAfter: String
    $sortBy: SortField!
    $direction: SortDirection!
  ) {
    folder(id: $id) {
      id
      name
      trashedAt
      viewerCan {
        edit
        delete
      }
      ancestors {
        id
        name
      }
      folders(first: 100, after: $foldersAfter, sortBy: $sortBy, direction: $direction) {
        nodes {
          id
          name
          updatedAt
          viewerCan {
            delete
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
      files(first: $first, after: $after, sortBy: $sortBy, direction: $direction) {
        nodes {
          id
          name
          size
          contentType
          status
          updatedAt
          viewerCan {
            delete
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const FILE_DETAILS = graphql(`
  query FileDetails($id: ID!) {
    node(id: $id) {
      ... on File {
        id
        name
        size
        contentType
        checksum
        checksumPartSize
        status
        metadata
        createdAt
        updatedAt
        trashedAt
        provenance {
          sourceKind
          sensorId
          platform
          location {
            longitude
            latitude
          }
          bbox {
            west
            south
            east
            north
          }
          timeRange {
            start
            end
          }
        }
        owner {
          name
          email
        }
        folder {
          id
          name
          ancestors {
            id
            name
          }
        }
        viewerCan {
          delete
          purge
        }
      }
    }
  }
`);

export const FILE_DOWNLOAD = graphql(`
  query FileDownload($id: ID!, $partSize: BigInt!) {
    node(id: $id) {
      ... on File {
        download(partSize: $partSize) {
          url
          expiresAt
          parts {
            partNumber
            rangeStart
            rangeEnd
          }
        }
      }
    }
  }
`);

export const SEARCH = graphql(`
  query SearchFiles(
    $filter: FileSearchInput
    $first: Int!
    $after: String
    $sortBy: SortField!
    $direction: SortDirection!
  ) {
    searchFiles(filter: $filter, first: $first, after: $after, sortBy: $sortBy, direction: $direction) {
      nodes {
        id
        name
        size
        contentType
        updatedAt
        provenance {
          sourceKind
          bbox {
            west
            south
            east
            north
          }
        }
        folder {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const TRASH = graphql(`
  query Trash($foldersAfter: String, $filesAfter: String) {
    me {
      id
      organizations {
        id
        name
        slug
        trashedFolders(first: 50, after: $foldersAfter) {
          nodes {
            id
            name
            trashedAt
            viewerCan {
              delete
              purge
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
        trashedFiles(first: 50, after: $filesAfter) {
          nodes {
            id
            name
            size
            trashedAt
            viewerCan {
              delete
              purge
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`);

export const DELETE_FOLDER = graphql(`
  mutation DeleteFolder($id: ID!) {
    deleteFolder(input: { id: $id }) {
      folder {
        id
        trashedAt
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const DELETE_FILE = graphql(`
  mutation DeleteFile($id: ID!) {
    deleteFile(input: { id: $id }) {
      file {
        id
        trashedAt
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const RESTORE_FOLDER = graphql(`
  mutation RestoreFolder($id: ID!) {
    restoreFolder(input: { id: $id }) {
      folder {
        id
        trashedAt
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const RESTORE_FILE = graphql(`
  mutation RestoreFile($id: ID!) {
    restoreFile(input: { id: $id }) {
      file {
        id
        trashedAt
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const PURGE_FOLDER = graphql(`
  mutation PurgeFolder($id: ID!) {
    purgeFolder(input: { id: $id }) {
      purgedFolderId
      userErrors {
        code
        message
      }
    }
  }
`);

export const PURGE_FILE = graphql(`
  mutation PurgeFile($id: ID!) {
    purgeFile(input: { id: $id }) {
      purgedFileId
      userErrors {
        code
        message
      }
    }
  }
`);
