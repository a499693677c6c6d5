ALTER TABLE `crosswalk_links` ADD `kind` text;--> statement-breakpoint
-- EU CRA Annex I version 2024 was first shipped before maps_to had kinds (content hash 6c35a21e48e8ae3d42732e69735f43038c771438c343c77b0e8afd1df727c777).
-- The file now states the kind of every link, which changes its content hash, so start-up would
-- report a conflict on an install that imported the earlier content. Where no submission uses that
-- earlier import, remove it (links, requirements, sections, the version row) so start-up imports
-- the file again; where one does, keep it and let start-up report the conflict.
-- Matched on id and the earlier hash: nothing else is ever deleted. See docs/decisions/022-crosswalk-kinds.md.
DELETE FROM `crosswalk_links` WHERE `from_version_id` = 'eu-cra-annex-i@2024' AND EXISTS (SELECT 1 FROM `checklist_versions` WHERE `id` = 'eu-cra-annex-i@2024' AND `content_hash` = '6c35a21e48e8ae3d42732e69735f43038c771438c343c77b0e8afd1df727c777') AND NOT EXISTS (SELECT 1 FROM `submissions` WHERE `checklist_version_id` = 'eu-cra-annex-i@2024');--> statement-breakpoint
DELETE FROM `requirements` WHERE `version_id` = 'eu-cra-annex-i@2024' AND EXISTS (SELECT 1 FROM `checklist_versions` WHERE `id` = 'eu-cra-annex-i@2024' AND `content_hash` = '6c35a21e48e8ae3d42732e69735f43038c771438c343c77b0e8afd1df727c777') AND NOT EXISTS (SELECT 1 FROM `submissions` WHERE `checklist_version_id` = 'eu-cra-annex-i@2024');--> statement-breakpoint
DELETE FROM `checklist_sections` WHERE `version_id` = 'eu-cra-annex-i@2024' AND EXISTS (SELECT 1 FROM `checklist_versions` WHERE `id` = 'eu-cra-annex-i@2024' AND `content_hash` = '6c35a21e48e8ae3d42732e69735f43038c771438c343c77b0e8afd1df727c777') AND NOT EXISTS (SELECT 1 FROM `submissions` WHERE `checklist_version_id` = 'eu-cra-annex-i@2024');--> statement-breakpoint
DELETE FROM `checklist_versions` WHERE `id` = 'eu-cra-annex-i@2024' AND `content_hash` = '6c35a21e48e8ae3d42732e69735f43038c771438c343c77b0e8afd1df727c777' AND NOT EXISTS (SELECT 1 FROM `submissions` WHERE `checklist_version_id` = 'eu-cra-annex-i@2024');
